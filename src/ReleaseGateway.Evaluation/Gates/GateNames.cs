namespace ReleaseGateway.Evaluation.Gates;

/// <summary>
/// What each gate measures, in words, for people deciding on a release. The policy key stays the gate's identity
/// (events, manifests, policies); these titles are only for display.
/// </summary>
public static class GateNames
{
    private static readonly Dictionary<string, string> Titles = new(StringComparer.Ordinal)
    {
        ["maxMembershipTprAt1PctFpr"] = "Membership inference: TPR at 1 % FPR",
        ["maxEmpiricalEpsilonRatio"] = "Empirical ε over claimed ε",
        ["maxAttributeInferenceRisk"] = "Attribute inference risk",
        ["maxSinglingOutRisk"] = "Singling-out risk",
        ["maxLinkabilityRisk"] = "Linkability risk",
        ["maxTvd2"] = "Fidelity: mean TVD of 2-way marginals",
        ["minTstrRatio"] = "Utility: train synthetic, test real (ratio)",
    };

    /// <summary>The gate's title; a key this version does not know (an older report) is shown as it is.</summary>
    public static string Title(string key) => Titles.GetValueOrDefault(key, key);
}
