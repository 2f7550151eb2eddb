using ReleaseGateway.Privacy.Accounting;

namespace ReleaseGateway.Requests.Policies;

/// <summary>
/// What a dataset allows: its total privacy budget, the most one release may spend, how many releases,
/// which generators, which workflow decides, how long a release stays downloadable, and the evaluation
/// gates a release must pass. Read from <c>policies/default.yaml</c>, overridden per dataset by
/// <c>policies/DATASET.yaml</c> (docs/workflow.md).
/// </summary>
/// <param name="Name">The file's name: <c>default</c> or the dataset name it applies to.</param>
/// <param name="Epsilon">Total ε over every release of the dataset.</param>
/// <param name="Delta">Total δ over every release of the dataset.</param>
/// <param name="MinEpsilonPerRelease">The least ε one request may ask for: below it the noise drowns the data (and, far below, exceeds what the mechanisms can draw).</param>
/// <param name="MinSourceRows">The fewest records a source table may have; a smaller table is refused at upload.</param>
/// <param name="OptionalSteps">Optional steps of the workflow that apply to this dataset (e.g. <c>AwaitingSignOff</c>).</param>
/// <param name="Gates">The merged <c>gates:</c> section as data (policy key → threshold). The evaluation module owns the
/// keys and their ranges: it checks them at start-up (<see cref="PolicySectionsCheck"/>) and reads them for each release.</param>
/// <param name="ShadowModel">The merged <c>shadowModel:</c> section, likewise.</param>
public sealed record DatasetPolicy(
    string Name,
    double Epsilon,
    double Delta,
    double MaxEpsilonPerRelease,
    double MinEpsilonPerRelease,
    int MaxReleases,
    int MaxRowsPerRelease,
    int MinSourceRows,
    IReadOnlyList<string> AllowedGenerators,
    string Workflow,
    IReadOnlyList<string> OptionalSteps,
    int ReleaseExpiryDays,
    IReadOnlyDictionary<string, double> Gates,
    IReadOnlyDictionary<string, double> ShadowModel,
    IReadOnlyList<string> SourceFiles)
{
    /// <summary>The default ε of the DP release checks (ADR 0024: ρ = 0.00125, about 5 % of an ε = 1 release at δ = 1e-6).</summary>
    public const double DefaultReleaseChecksEpsilon = 0.05;

    /// <summary>The default of <see cref="EvaluationSampleRows"/>.</summary>
    public const int DefaultEvaluationSampleRows = 100_000;

    /// <summary>
    /// <c>evaluationSampleRows</c>: for a source counted in a database engine (ADR 0038), about how many rows the
    /// committee's evaluation draws from the training and holdout parts (a secret-coin sample at rate
    /// min(1, this / the synthesizer's noisy record count)).
    /// </summary>
    public int EvaluationSampleRows { get; init; } = DefaultEvaluationSampleRows;

    /// <summary>
    /// <c>closeOut</c>: whether the requester must file a close-out note when a release's access ends (<see cref="CloseOutRules"/>);
    /// when required, their next submission on the dataset waits for it (ADR 0055).
    /// </summary>
    public string CloseOut { get; init; } = CloseOutRules.Optional;

    /// <summary>The <c>privacyUnit:</c> section: whether a person key is required and the most rows one person may contribute.</summary>
    public PrivacyUnitPolicy PrivacyUnit { get; init; } = PrivacyUnitPolicy.Default;

    /// <summary><c>releaseChecks.epsilon</c>: the pure-DP ε per unit the release checks (gates) spend out of each release's ε.</summary>
    public double ReleaseChecksEpsilon { get; init; } = DefaultReleaseChecksEpsilon;

    /// <summary>
    /// <c>releaseChecks.copyThreshold</c>: the DP copy test's public threshold T (ADR 0026); null uses the threshold calibrated to a
    /// 5 % chance block rate. Public configuration, never derived from the data.
    /// </summary>
    public int? ReleaseChecksCopyThreshold { get; init; }

    /// <summary>k of a dataset: <see cref="PrivacyUnitPolicy.MaxRowsPerPerson"/> when its schema has a person key, else 1 (the row).</summary>
    public int MaxRowsPerUnit(bool hasPersonKey) => hasPersonKey ? PrivacyUnit.MaxRowsPerPerson : 1;

    /// <summary>
    /// How a release at <paramref name="epsilon"/> (and this policy's δ) divides its budget (<see cref="ReleaseBudgetPlan"/>);
    /// <paramref name="dpBinning"/>: the release's columns include bounds-only ones, whose edges take the binning slice (ADR 0037).
    /// </summary>
    /// <exception cref="ArgumentException">ε is too small to leave anything after the release checks.</exception>
    public ReleaseBudgetPlan PlanRelease(double epsilon, bool hasPersonKey, bool dpBinning = false) =>
        ReleaseBudgetPlan.Create(epsilon, Delta, ReleaseChecksEpsilon, MaxRowsPerUnit(hasPersonKey), hasPersonKey,
            dpBinning ? ReleaseBudgetPlan.DefaultBinningShare : 0);
}

/// <summary>
/// Who the privacy unit is (ADR 0024). With a person key in the schema the unit is the person and each person contributes
/// at most <paramref name="MaxRowsPerPerson"/> rows (chosen at random, secretly); without one the unit is the row.
/// </summary>
/// <param name="RequirePersonKey">Refuse datasets whose schema declares no person key (registration and upload).</param>
/// <param name="MaxRowsPerPerson">k: rows kept per person; the synthesizer runs at ρ/k² per row (group privacy).</param>
public sealed record PrivacyUnitPolicy(bool RequirePersonKey, int MaxRowsPerPerson)
{
    /// <summary>No person key required; one row per person when a key is declared (the row-level cost).</summary>
    public static PrivacyUnitPolicy Default { get; } = new(false, 1);
}

/// <summary>The values of a policy's <c>closeOut</c> key.</summary>
public static class CloseOutRules
{
    public const string Optional = "optional";
    public const string Required = "required";

    public static readonly IReadOnlyList<string> All = [Optional, Required];
}
