namespace ReleaseGateway.Evaluation.Gates;

/// <summary>
/// Release gate thresholds read from a dataset policy's <c>gates:</c> section (camelCase keys). Keys, ranges, defaults
/// and their meaning are defined once in <see cref="GateCatalog"/>; the calibration is in docs/evaluation.md and ADR 0009.
/// </summary>
public sealed record GateThresholds
{
    /// <summary>Threshold of <see cref="GateCatalog.MembershipTpr"/>.</summary>
    public double MaxMembershipTprAt1PctFpr { get; init; } = GateCatalog.MembershipTpr.Default;

    /// <summary>Threshold of <see cref="GateCatalog.EmpiricalEpsilon"/>.</summary>
    public double MaxEmpiricalEpsilonRatio { get; init; } = GateCatalog.EmpiricalEpsilon.Default;

    /// <summary>Threshold of <see cref="GateCatalog.AttributeInference"/>.</summary>
    public double MaxAttributeInferenceRisk { get; init; } = GateCatalog.AttributeInference.Default;

    /// <summary>Threshold of <see cref="GateCatalog.Reconstruction"/>.</summary>
    public double MaxReconstructionRisk { get; init; } = GateCatalog.Reconstruction.Default;

    /// <summary>Threshold of <see cref="GateCatalog.SinglingOut"/>.</summary>
    public double MaxSinglingOutRisk { get; init; } = GateCatalog.SinglingOut.Default;

    /// <summary>Threshold of <see cref="GateCatalog.Linkability"/>.</summary>
    public double MaxLinkabilityRisk { get; init; } = GateCatalog.Linkability.Default;

    /// <summary>Threshold of <see cref="GateCatalog.Tvd2"/>.</summary>
    public double MaxTvd2 { get; init; } = GateCatalog.Tvd2.Default;

    /// <summary>Threshold of <see cref="GateCatalog.TstrRatio"/>.</summary>
    public double MinTstrRatio { get; init; } = GateCatalog.TstrRatio.Default;

    /// <summary>Threshold of <see cref="GateCatalog.SubgroupTvd2Gap"/>.</summary>
    public double MaxSubgroupTvd2Gap { get; init; } = GateCatalog.SubgroupTvd2Gap.Default;

    /// <summary>The threshold of the policy gate <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">The key is not a policy gate.</exception>
    public double this[string key] => key switch
    {
        "maxMembershipTprAt1PctFpr" => MaxMembershipTprAt1PctFpr,
        "maxEmpiricalEpsilonRatio" => MaxEmpiricalEpsilonRatio,
        "maxAttributeInferenceRisk" => MaxAttributeInferenceRisk,
        "maxReconstructionRisk" => MaxReconstructionRisk,
        "maxSinglingOutRisk" => MaxSinglingOutRisk,
        "maxLinkabilityRisk" => MaxLinkabilityRisk,
        "maxTvd2" => MaxTvd2,
        "minTstrRatio" => MinTstrRatio,
        "maxSubgroupTvd2Gap" => MaxSubgroupTvd2Gap,
        _ => throw new KeyNotFoundException($"'{key}' is not a policy gate."),
    };

    /// <summary>A copy with the threshold of <paramref name="key"/> set to <paramref name="value"/>.</summary>
    /// <exception cref="KeyNotFoundException">The key is not a policy gate.</exception>
    public GateThresholds With(string key, double value) => key switch
    {
        "maxMembershipTprAt1PctFpr" => this with { MaxMembershipTprAt1PctFpr = value },
        "maxEmpiricalEpsilonRatio" => this with { MaxEmpiricalEpsilonRatio = value },
        "maxAttributeInferenceRisk" => this with { MaxAttributeInferenceRisk = value },
        "maxReconstructionRisk" => this with { MaxReconstructionRisk = value },
        "maxSinglingOutRisk" => this with { MaxSinglingOutRisk = value },
        "maxLinkabilityRisk" => this with { MaxLinkabilityRisk = value },
        "maxTvd2" => this with { MaxTvd2 = value },
        "minTstrRatio" => this with { MinTstrRatio = value },
        "maxSubgroupTvd2Gap" => this with { MaxSubgroupTvd2Gap = value },
        _ => throw new KeyNotFoundException($"'{key}' is not a policy gate."),
    };

    /// <summary>Every threshold under its policy key, in the order the gates are reported.</summary>
    public IReadOnlyList<(string Key, double Value)> ByKey() => [.. GateCatalog.PolicyGates.Select(g => (g.Key, this[g.Key]))];

    /// <summary>Checks every threshold lies in its range; returns the problems (empty when valid), keyed by YAML name.</summary>
    public IReadOnlyList<string> Validate() =>
        [.. GateCatalog.PolicyGates.Select(g => g.RangeProblem(this[g.Key]) is { } problem ? $"gates.{g.Key}: {problem}" : null).OfType<string>()];
}

/// <summary>Shadow-model settings read from a policy's <c>shadowModel:</c> section.</summary>
/// <param name="ShadowTargets">k: records attacked (0 disables the attack).</param>
/// <param name="ShadowRuns">R: training pairs of shadow datasets per target.</param>
public sealed record ShadowModelSettings(int ShadowTargets = 3, int ShadowRuns = 10);

/// <summary>Everything the evaluator reads from a policy file.</summary>
/// <param name="Thresholds">Gate thresholds.</param>
/// <param name="ShadowModel">Shadow-model settings.</param>
public sealed record EvaluationPolicy(GateThresholds Thresholds, ShadowModelSettings ShadowModel);
