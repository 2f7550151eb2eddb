using ReleaseGateway.Datasets.Generators;
using ReleaseGateway.Requests.Definitions;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Requests.Tests.Policies;

public sealed class PolicyTests
{
    private static readonly IReadOnlySet<string> Workflows = new HashSet<string> { "standard", "two-key" };

    private const string Default = """
        budget:
          epsilon: 4.0
          delta: 1.0e-6
        maxEpsilonPerRelease: 1.0
        maxReleases: 4
        maxRowsPerRelease: 100000
        allowedGenerators: [aim, mst]
        workflow: standard
        releaseExpiryDays: 90
        minEpsilonPerRelease: 0.01
        minSourceRows: 100
        gates:
          maxMembershipTprAt1PctFpr: 0.05
          maxTvd2: 0.15
        """;

    private static PolicyCatalog Parse(string defaults, string? demo = null)
    {
        var files = new Dictionary<string, string> { ["policies/default.yaml"] = defaults };
        if (demo is not null) files["policies/demo.yaml"] = demo;
        return PolicyLoader.Parse(files, Workflows, Fixtures.EvaluationSections);
    }

    private static DefinitionProblem Problem(string defaults, string? demo = null) =>
        Assert.Single(Assert.Throws<DefinitionException>(() => Parse(defaults, demo)).Problems);

    [Fact]
    public void Given_ShippedPolicies_When_Loaded_Then_DemoInheritsWhatItDoesNotSet()
    {
        var catalog = PolicyLoader.LoadDirectory(Fixtures.PoliciesDirectory, Fixtures.ShippedWorkflows.Names, Fixtures.EvaluationSections);
        var demo = catalog.For("demo");
        Assert.Equal(3.0, demo.Epsilon);
        Assert.Equal(catalog.Default.MaxRowsPerRelease, demo.MaxRowsPerRelease);
        Assert.Equal(0.25, demo.Gates["maxSinglingOutRisk"]);
        Assert.Equal(catalog.Default.Gates["maxTvd2"], demo.Gates["maxTvd2"]);
        Assert.Equal(catalog.Default.ShadowModel, demo.ShadowModel);
        Assert.Same(catalog.Default, catalog.For("some-other-dataset"));
    }

    [Fact]
    public void Given_PerReleaseEpsilonAboveBudget_When_Loaded_Then_FileLineAndBothValues()
    {
        var p = Problem(Default, "maxEpsilonPerRelease: 5\n");
        Assert.Equal(("policies/demo.yaml", 1L), (p.File, p.Line));
        Assert.Equal("maxEpsilonPerRelease (5) must not exceed budget.epsilon (4)", p.Reason);
    }

    [Fact]
    public void Given_UnknownWorkflow_When_Loaded_Then_NamesTheDefinedOnes()
    {
        var p = Problem(Default.Replace("workflow: standard", "workflow: fast-track"));
        Assert.Equal(8, p.Line);
        Assert.Contains("workflow 'fast-track' is not defined under workflows/ (defined: standard, two-key)", p.Reason);
    }

    [Fact]
    public void Given_UnknownGenerator_When_Loaded_Then_Refused() =>
        Assert.Contains("unknown generator 'gan'", Problem(Default.Replace("[aim, mst]", "[aim, gan]")).Reason);

    [Fact]
    public void Given_UnknownGenerator_When_Loaded_Then_TheRefusalListsTheRegistrysGenerators()
    {
        var reason = Problem(Default.Replace("[aim, mst]", "[aim, AIM]")).Reason;

        Assert.Contains($"unknown generator 'AIM' (known: {string.Join(", ", GeneratorCatalog.Names)})", reason);
        Assert.Equal(["aim", "mst", "made"], GeneratorCatalog.Names);
    }

    [Fact]
    public void Given_EveryRegisteredGenerator_When_AllowedByAPolicy_Then_Loaded() =>
        Assert.Equal(GeneratorCatalog.Names,
            Parse(Default.Replace("[aim, mst]", $"[{string.Join(", ", GeneratorCatalog.Names)}]")).Default.AllowedGenerators);

    [Fact]
    public void Bug_MinEpsilonTheMechanismsCannotRealise_WhenLoaded_ThenRefusedAtItsLineNamingSigma()
    {
        var files = new Dictionary<string, string> { ["policies/default.yaml"] = Default.Replace("minEpsilonPerRelease: 0.01", "minEpsilonPerRelease: 1.0e-300") };
        var p = Assert.Single(Assert.Throws<DefinitionException>(() =>
            PolicyLoader.Parse(files, Workflows, Fixtures.EvaluationSections, noiseScale: ReleaseGateway.Synthesis.Synthesizers.Synthesizer.LargestNoiseScale)).Problems);
        Assert.Equal(10L, p.Line);
        Assert.Contains("below what the mechanisms can realise", p.Reason);
        Assert.Contains("largest σ (1048576)", p.Reason);
        Assert.NotNull(PolicyLoader.Parse(new Dictionary<string, string> { ["policies/default.yaml"] = Default }, Workflows, Fixtures.EvaluationSections,
            noiseScale: ReleaseGateway.Synthesis.Synthesizers.Synthesizer.LargestNoiseScale).Default);
    }

    [Theory]
    [InlineData("minEpsilonPerRelease: 0.01", "minEpsilonPerRelease: 2.0", "minEpsilonPerRelease (2) must not exceed maxEpsilonPerRelease (1)")]
    [InlineData("minSourceRows: 100", "minSourceRows: 0", "minSourceRows must be between 1 and 10000000 (was 0)")]
    public void Given_MinimumsOutOfRange_When_Loaded_Then_Refused(string line, string replacement, string reason) =>
        Assert.Equal(reason, Problem(Default.Replace(line, replacement)).Reason);

    [Fact]
    public void Given_AnEvaluationSampleSize_When_Loaded_Then_ItIsTheDatasetsAndOutOfRangeIsRefused()
    {
        Assert.Equal(DatasetPolicy.DefaultEvaluationSampleRows, Parse(Default).Default.EvaluationSampleRows);
        Assert.Equal(5000, Parse(Default + "\nevaluationSampleRows: 5000\n").Default.EvaluationSampleRows);
        Assert.Equal("evaluationSampleRows must be between 100 and 10000000 (was 10)", Problem(Default + "\nevaluationSampleRows: 10\n").Reason);
    }

    [Fact]
    public void Given_DeltaTooLarge_When_Loaded_Then_RefusedAtItsLine()
    {
        var p = Problem(Default.Replace("delta: 1.0e-6", "delta: 0.01"));
        Assert.Equal((3L, "budget.delta must be greater than 0 and at most 1e-4 (was 0.01)"), (p.Line, p.Reason));
    }

    [Fact]
    public void Given_TextWhereNumberBelongs_When_Loaded_Then_RefusedAtItsLine()
    {
        var p = Problem(Default, "maxReleases: many\n");
        Assert.Equal((1L, "'maxReleases' of the policy must be a whole number, not 'many'"), (p.Line, p.Reason));
    }

    [Fact]
    public void Given_MisspeltKey_When_Loaded_Then_Refused() =>
        Assert.Contains("unknown key 'maxRelease'", Problem(Default, "maxRelease: 3\n").Reason);

    [Fact]
    public void Given_GateOutOfRange_When_Loaded_Then_TheEvaluationModulesMessageWithFileAndLine()
    {
        var p = Problem(Default, "gates:\n  maxTvd2: 1.5\n");
        Assert.Equal(("policies/demo.yaml", 2L), (p.File, p.Line));
        Assert.Contains("gates.maxTvd2: 1.5 is outside [0, 1]", p.Reason);
    }

    [Fact]
    public void Given_MisspeltGate_When_Loaded_Then_RefusedRatherThanFallingBackToADefault() =>
        Assert.Contains("unknown gate", Problem(Default.Replace("maxTvd2: 0.15", "maxTvd: 0.15")).Reason);

    [Fact]
    public void Given_DefaultMissingAKey_When_Loaded_Then_SaysItIsRequired() =>
        Assert.Contains("'releaseExpiryDays' is required", Problem(Default.Replace("releaseExpiryDays: 90", "")).Reason);

    [Fact]
    public void Given_OptionalStepTheWorkflowLacks_When_Loaded_Then_NamesTheStepsItHas()
    {
        var steps = new Dictionary<string, IReadOnlySet<string>> { ["standard"] = new HashSet<string> { "AwaitingSignOff" }, ["two-key"] = new HashSet<string>() };
        var files = new Dictionary<string, string> { ["policies/default.yaml"] = Default, ["policies/demo.yaml"] = "optionalSteps: [EthicsReview]\n" };
        var p = Assert.Single(Assert.Throws<DefinitionException>(() => PolicyLoader.Parse(files, Workflows, Fixtures.EvaluationSections, steps)).Problems);
        Assert.Equal(("policies/demo.yaml", 1L), (p.File, p.Line));
        Assert.Equal("optionalSteps names 'EthicsReview', which is not an optional step of workflow 'standard' (optional steps: AwaitingSignOff)", p.Reason);
    }

    [Fact]
    public void Given_NoDefaultFile_When_Loaded_Then_Refused()
    {
        var e = Assert.Throws<DefinitionException>(() => PolicyLoader.Parse(new Dictionary<string, string> { ["policies/demo.yaml"] = Default }, Workflows, Fixtures.EvaluationSections));
        Assert.Contains("default.yaml is required", e.Message);
    }
}

public sealed class QuorumRuleTests
{
    [Theory]
    [InlineData(3, 0, 2, 2)]
    [InlineData(3, 1, 2, 1)]
    [InlineData(5, 0, 3, 3)]
    [InlineData(4, 0, 3, 2)]
    public void Given_MajorityRule_When_MembersRecused_Then_ThresholdsCountOnlyEligibleMembers(int seats, int recused, int approvals, int rejections) =>
        Assert.Equal((approvals, rejections), new QuorumRule(0, 0, Majority: true).Thresholds(seats, recused));

    [Fact]
    public void Given_CountRule_When_MembersRecused_Then_ThresholdsStayAsDeclared() =>
        Assert.Equal((2, 1), new QuorumRule(2, 1, Majority: false).Thresholds(3, 1));

    [Theory]
    [InlineData(2, 1, false, 3, 0, "2 approvals approve the request; 1 rejection rejects it")]
    [InlineData(1, 2, false, 3, 0, "1 approval approves the request; 2 rejections reject it")]
    [InlineData(0, 0, true, 5, 1, "3 approvals approve the request; 2 rejections reject it (a majority of the 4 members not recused)")]
    public void Given_ARule_When_WrittenForPeople_Then_ItSaysTheThresholdsWithoutParentheses(int approvals, int rejections, bool majority, int seats,
        int recused, string words) =>
        Assert.Equal(words, new QuorumRule(approvals, rejections, majority).InWords(seats, recused));
}
