using ReleaseGateway.Evaluation.Gates;

namespace ReleaseGateway.Evaluation.Tests;

public class PolicyLoaderTests
{
    [Fact]
    public void Given_PolicyWithGatesShadowModelAndOtherSections_When_Loaded_Then_OnlyGatesAndShadowModelAreRead()
    {
        const string yaml = """
            dataset: colon
            approvals:
              required: 2
            gates:
              maxMembershipTprAt1PctFpr: 0.05
              maxEmpiricalEpsilonRatio: 1.5
              maxAttributeInferenceRisk: 0.1
              maxSinglingOutRisk: 0.25
              maxLinkabilityRisk: 0.15
              maxTvd2: 0.2
              minTstrRatio: 0.8
            shadowModel:
              shadowTargets: 4
              shadowRuns: 16
            """;
        var policy = PolicyLoader.Parse(yaml);
        Assert.Equal(new GateThresholds
        {
            MaxMembershipTprAt1PctFpr = 0.05, MaxEmpiricalEpsilonRatio = 1.5, MaxAttributeInferenceRisk = 0.1, MaxSinglingOutRisk = 0.25,
            MaxLinkabilityRisk = 0.15, MaxTvd2 = 0.2, MinTstrRatio = 0.8,
        }, policy.Thresholds);
        Assert.Equal(new ShadowModelSettings(4, 16), policy.ShadowModel);
    }

    [Fact]
    public void Given_PolicyWithoutThoseSections_When_Loaded_Then_TheDocumentedDefaultsApply()
    {
        var policy = PolicyLoader.Parse("dataset: x\n");
        Assert.Equal(new GateThresholds(), policy.Thresholds);
        Assert.Equal(new ShadowModelSettings(), policy.ShadowModel);
        Assert.Empty(new GateThresholds().Validate());
    }

    [Fact]
    public void Given_PartialGatesSection_When_Loaded_Then_TheRestKeepTheirDefaults()
    {
        var policy = PolicyLoader.Parse("gates:\n  maxTvd2: 0.3\n");
        Assert.Equal(0.3, policy.Thresholds.MaxTvd2);
        Assert.Equal(new GateThresholds().MinTstrRatio, policy.Thresholds.MinTstrRatio);
    }

    [Theory]
    [InlineData("gates:\n  maxTvd: 0.3\n", "p.yaml:2:3: gates.maxTvd: unknown gate")]
    [InlineData("gates:\n  maxTvd2: high\n", "p.yaml:2:12: gates.maxTvd2: expected a number, got 'high'")]
    [InlineData("gates:\n  maxTvd2: 1.5\n", "p.yaml:2:12: gates.maxTvd2: 1.5 is outside [0, 1]")]
    [InlineData("gates:\n  maxEmpiricalEpsilonRatio: 0\n", "gates.maxEmpiricalEpsilonRatio: 0 must be positive")]
    [InlineData("gates: [1, 2]\n", "p.yaml:1:8: gates: expected a mapping")]
    [InlineData("shadowModel:\n  shadowRuns: 1\n", "shadowModel.shadowRuns: must be ≥ 2")]
    [InlineData("shadowModel:\n  shadowTargets: 2.5\n", "shadowModel.shadowTargets: 2.5 must be a whole number")]
    [InlineData("gates:\n  maxTvd2: [\n", "p.yaml:")]
    public void Given_InvalidPolicy_When_Loaded_Then_RejectedWithFileLineColumnAndKey(string yaml, string expected)
    {
        var e = Assert.Throws<PolicyException>(() => PolicyLoader.Parse(yaml, "p.yaml"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(GateStatus.Pass, false)]
    [InlineData(GateStatus.NotApplicable, false)]
    [InlineData(GateStatus.Fail, true)]
    public void Given_AGateStatus_When_AskedWhetherItBlocks_Then_OnlyAFailureDoes(GateStatus status, bool blocking) =>
        Assert.Equal(blocking, status.IsBlocking());

    [Fact]
    public void Given_SectionsAsData_When_Read_Then_TheSameThresholdsAsFromYaml()
    {
        var gates = new Dictionary<string, double> { ["maxTvd2"] = 0.3, ["maxSinglingOutRisk"] = 0.25 };
        var shadow = new Dictionary<string, double> { ["shadowRuns"] = 4 };
        Assert.Equal(PolicyLoader.Parse("gates:\n  maxTvd2: 0.3\n  maxSinglingOutRisk: 0.25\nshadowModel:\n  shadowRuns: 4\n"),
            PolicyLoader.FromSections(gates, shadow));
    }

    [Fact]
    public void Given_AnUnknownGateAsData_When_Read_Then_RefusedAsFromYaml() =>
        Assert.Contains("unknown gate", Assert.Throws<PolicyException>(() =>
            PolicyLoader.FromSections(new Dictionary<string, double> { ["maxTvd"] = 0.3 }, new Dictionary<string, double>())).Message, StringComparison.Ordinal);

    [Fact]
    public void Given_PolicyYaml_When_Checked_Then_NullIfValidElseTheMessageWithFileAndLine()
    {
        Assert.Null(PolicyLoader.Check("gates:\n  maxTvd2: 0.3\n", "p.yaml"));
        Assert.Equal("p.yaml:2:12: gates.maxTvd2: 1.5 is outside [0, 1]", PolicyLoader.Check("gates:\n  maxTvd2: 1.5\n", "p.yaml"));
    }

    [Fact]
    public void Given_UnreadablePolicyFile_When_Loaded_Then_PolicyError()
    {
        var e = Assert.Throws<PolicyException>(() => PolicyLoader.Load("/nonexistent/policy.yaml"));
        Assert.StartsWith("/nonexistent/policy.yaml: cannot read policy", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_TheGateCatalog_When_EachPolicyGateIsSet_Then_LoaderThresholdsAndValidationFollowItsDefinition()
    {
        foreach (var gate in GateCatalog.PolicyGates)
        {
            Assert.Equal(gate.Default, new GateThresholds()[gate.Key]);
            var inside = gate.Default / 2;
            Assert.Equal(inside, PolicyLoader.Parse($"gates:\n  {gate.Key}: {inside.ToString(System.Globalization.CultureInfo.InvariantCulture)}\n").Thresholds[gate.Key]);
            var outside = new GateThresholds().With(gate.Key, -1);
            Assert.Contains(outside.Validate(), p => p.StartsWith($"gates.{gate.Key}:", StringComparison.Ordinal));
            Assert.Throws<PolicyException>(() => PolicyLoader.Parse($"gates:\n  {gate.Key}: -1\n"));
        }

        // The DP release check is a gate for reports and pages, but its threshold lives under releaseChecks:.
        Assert.Throws<PolicyException>(() => PolicyLoader.Parse($"gates:\n  {GateCatalog.DpCopyTestKey}: 1\n"));
        Assert.Equal(GateCatalog.All.Count, GateCatalog.All.Select(g => g.Key).Distinct().Count());
    }

    [Fact]
    public void Given_ARiskGatedOnlyWhenSignificant_When_ItsEvidenceIsWritten_Then_ValueIntervalAndRuleAreInWords()
    {
        var result = GateResult.Judge(GateCatalog.SinglingOut, 0, 0.3, "multivariate", (0.04, 0, 0.93));
        Assert.Equal(GateStatus.Pass, result.Status);
        Assert.Equal("0 (estimate 0.04, 95 % interval 0–0.93); passes when the value is at most 0.3; not DP, computed on real data and shown only inside the gateway",
            result.Evidence());
        Assert.Contains("does not block", GateCatalog.SinglingOut.Explanation, StringComparison.Ordinal);
        Assert.Equal(GateStatus.Fail, GateResult.Judge(GateCatalog.TstrRatio, 0.4, 0.5, "tstr").Status);
    }
}
