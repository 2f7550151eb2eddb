using ReleaseGateway.Evaluation.Attacks;
using ReleaseGateway.Evaluation.Fidelity;
using ReleaseGateway.Evaluation.Gates;

namespace ReleaseGateway.Evaluation.Reports;

/// <summary>An evaluator that threw or timed out; its gates fail closed.</summary>
/// <param name="Evaluator">Evaluator name.</param>
/// <param name="Message">What went wrong.</param>
public sealed record EvaluatorError(string Evaluator, string Message);

/// <summary>Row counts of the three inputs.</summary>
/// <param name="Train">Training rows.</param>
/// <param name="Holdout">Holdout rows.</param>
/// <param name="Synthetic">Synthetic rows.</param>
public sealed record RowCounts(int Train, int Holdout, int Synthetic);

/// <summary>Real and synthetic frequencies of one column over shared categories or bins (for plots and review).</summary>
/// <param name="Column">Column name.</param>
/// <param name="Numeric">Whether the labels are bins of a numeric column.</param>
/// <param name="Labels">Category names or bin ranges; the last is "(missing)" when any value is missing.</param>
/// <param name="Real">Real frequencies (sum 1).</param>
/// <param name="Synthetic">Synthetic frequencies (sum 1).</param>
public sealed record ColumnProfile(string Column, bool Numeric, IReadOnlyList<string> Labels, IReadOnlyList<double> Real, IReadOnlyList<double> Synthetic);

/// <summary>Fidelity and utility measurements.</summary>
/// <param name="Tvd">Mean and max TVD for k = 1, 2, 3.</param>
/// <param name="Associations">Association matrices and their difference.</param>
/// <param name="Numeric">KS and Wasserstein distance per numeric column.</param>
/// <param name="Discriminator">Real-vs-synthetic classifier AUC.</param>
/// <param name="Tstr">Train-on-synthetic test-on-real result.</param>
/// <param name="Profiles">Per-column distributions.</param>
/// <param name="Subgroups">Fidelity and TSTR per subgroup of the protected attributes; null when the schema declares none.</param>
public sealed record FidelityReport(
    IReadOnlyList<TvdSummary>? Tvd,
    AssociationComparison? Associations,
    IReadOnlyList<NumericColumnDistance>? Numeric,
    DiscriminatorResult? Discriminator,
    TstrResult? Tstr,
    IReadOnlyList<ColumnProfile>? Profiles,
    SubgroupReport? Subgroups = null);

/// <summary>Privacy attack results.</summary>
/// <param name="Membership">Membership attacks (distance, density-ratio, marginal-ratio, shadow-model when run).</param>
/// <param name="ShadowModel">Shadow-model details and cost, when run.</param>
/// <param name="EmpiricalEpsilon">Largest ε lower bound over membership attacks.</param>
/// <param name="AttributeInference">Per-secret attribute-inference risks.</param>
/// <param name="SinglingOut">Univariate and multivariate singling-out risks.</param>
/// <param name="Linkability">Linkability risk.</param>
/// <param name="Reconstruction">Linear-reconstruction attribute inference per reconstructed secret (absent in reports written before it).</param>
public sealed record PrivacyReport(
    IReadOnlyList<MembershipAttackResult> Membership,
    ShadowModelResult? ShadowModel,
    double? EmpiricalEpsilon,
    IReadOnlyList<AttributeInferenceResult> AttributeInference,
    IReadOnlyList<SinglingOutResult> SinglingOut,
    LinkabilityResult? Linkability,
    IReadOnlyList<ReconstructionResult>? Reconstruction = null);

/// <summary>
/// Everything one evaluation found: the gate table first, then the measurements behind it. Serialised by
/// <see cref="ReportJson"/> (schema "rgw.evaluation/1", documented in docs/evaluation.md) and rendered by
/// <see cref="HtmlReport"/>.
/// </summary>
/// <param name="Schema">Format identifier, "rgw.evaluation/1".</param>
/// <param name="Passed">True only when no gate failed and no evaluator errored.</param>
/// <param name="Gates">Every gate with value, threshold and status.</param>
/// <param name="Errors">Evaluators that failed or timed out.</param>
/// <param name="StartedAt">Start time (UTC).</param>
/// <param name="DurationSeconds">Wall time.</param>
/// <param name="Seed">Seed of every random choice.</param>
/// <param name="ClaimedEpsilon">ε the release claims, if any.</param>
/// <param name="Delta">δ used for the ε bound.</param>
/// <param name="Rows">Input sizes.</param>
/// <param name="Columns">Evaluated column names.</param>
/// <param name="Target">TSTR target column.</param>
/// <param name="Thresholds">Thresholds applied.</param>
/// <param name="Privacy">Attack results.</param>
/// <param name="Fidelity">Fidelity results.</param>
public sealed record EvaluationReport(
    string Schema,
    bool Passed,
    IReadOnlyList<GateResult> Gates,
    IReadOnlyList<EvaluatorError> Errors,
    DateTimeOffset StartedAt,
    double DurationSeconds,
    int Seed,
    double? ClaimedEpsilon,
    double Delta,
    RowCounts Rows,
    IReadOnlyList<string> Columns,
    string? Target,
    GateThresholds Thresholds,
    PrivacyReport Privacy,
    FidelityReport Fidelity)
{
    /// <summary>Current format identifier.</summary>
    public const string CurrentSchema = "rgw.evaluation/1";
}
