namespace ReleaseGateway.Evaluation.Gates;

/// <summary>
/// Release gates read from a dataset policy's <c>gates:</c> section (camelCase keys). Defaults are
/// calibrated so that a correct ε = 1 graphical-model release (MST) of the shared clinical tables passes
/// and a copy of the training data fails; the evidence is in docs/evaluation.md and ADR 0009.
/// </summary>
public sealed record GateThresholds
{
    /// <summary>
    /// Largest TPR at 1 % FPR any membership attack demonstrates (its Clopper–Pearson lower bound, Bonferroni over
    /// the attacks; default 0.05). ε-DP caps the true TPR at e^ε·0.01 + δ (0.027 at ε = 1; 0.05 at ε ≈ 1.6).
    /// ε = 1 MST and AIM releases of the shared tables stay ≤ 0.02; a release with 10 % of its rows copied from
    /// the training data shows 0.07–0.09, a full copy ≥ 0.9 on tables whose records are unique.
    /// </summary>
    public double MaxMembershipTprAt1PctFpr { get; init; } = 0.05;

    /// <summary>
    /// Largest empirical ε lower bound divided by the claimed ε (default 1.0): a bound above the claim is
    /// proof, at 95 % confidence, that the implementation does not deliver its guarantee.
    /// </summary>
    public double MaxEmpiricalEpsilonRatio { get; init; } = 1.0;

    /// <summary>
    /// Largest significant nearest-neighbour attribute-inference risk (Anonymeter residual risk) over the secrets
    /// (default 0.35). ε = 1 MST releases of the shared tables reach 0.23 (pima, insulin): an attack on a small
    /// holdout also picks up the aggregate statistics of the training sample, which DP permits; copies score ≥ 0.78.
    /// </summary>
    public double MaxAttributeInferenceRisk { get; init; } = 0.35;

    /// <summary>Largest significant multivariate singling-out risk (default 0.30; univariate is reported, not gated).</summary>
    public double MaxSinglingOutRisk { get; init; } = 0.30;

    /// <summary>Largest linkability risk (default 0.20).</summary>
    public double MaxLinkabilityRisk { get; init; } = 0.20;

    /// <summary>Largest mean TVD over 2-way marginals (default 0.65: every shared table's ε = 1 MST release is below 0.59; tighten per dataset).</summary>
    public double MaxTvd2 { get; init; } = 0.65;

    /// <summary>Smallest TSTR ratio (synthetic-trained over real-trained balanced accuracy, worst model; default 0.5).</summary>
    public double MinTstrRatio { get; init; } = 0.5;

    /// <summary>Every threshold under its policy key, in the order the gates are reported.</summary>
    public IReadOnlyList<(string Key, double Value)> ByKey() =>
    [
        ("maxMembershipTprAt1PctFpr", MaxMembershipTprAt1PctFpr),
        ("maxEmpiricalEpsilonRatio", MaxEmpiricalEpsilonRatio),
        ("maxAttributeInferenceRisk", MaxAttributeInferenceRisk),
        ("maxSinglingOutRisk", MaxSinglingOutRisk),
        ("maxLinkabilityRisk", MaxLinkabilityRisk),
        ("maxTvd2", MaxTvd2),
        ("minTstrRatio", MinTstrRatio),
    ];

    /// <summary>Checks every threshold lies in its range; returns the problems (empty when valid), keyed by YAML name.</summary>
    public IReadOnlyList<string> Validate()
    {
        // Every threshold but the ε ratio is a rate or a risk in [0, 1].
        var problems = ByKey()
            .Where(t => t.Key != "maxEmpiricalEpsilonRatio" && !(t.Value >= 0 && t.Value <= 1))
            .Select(t => $"gates.{t.Key}: {t.Value} is outside [0, 1]")
            .ToList();
        if (!(MaxEmpiricalEpsilonRatio > 0) || double.IsInfinity(MaxEmpiricalEpsilonRatio))
        {
            problems.Add($"gates.maxEmpiricalEpsilonRatio: {MaxEmpiricalEpsilonRatio} must be a positive finite number");
        }

        return problems;
    }
}

/// <summary>Shadow-model settings read from a policy's <c>shadowModel:</c> section.</summary>
/// <param name="ShadowTargets">k: records attacked (0 disables the attack).</param>
/// <param name="ShadowRuns">R: training pairs of shadow datasets per target.</param>
public sealed record ShadowModelSettings(int ShadowTargets = 3, int ShadowRuns = 10);

/// <summary>Everything the evaluator reads from a policy file.</summary>
/// <param name="Thresholds">Gate thresholds.</param>
/// <param name="ShadowModel">Shadow-model settings.</param>
public sealed record EvaluationPolicy(GateThresholds Thresholds, ShadowModelSettings ShadowModel);
