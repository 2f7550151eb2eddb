using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Requests.Definitions;
using ReleaseGateway.Requests.Policies;

namespace ReleaseGateway.Requests.Tests.Policies;

public sealed class PrivacyUnitPolicyTests
{
    private static readonly IReadOnlySet<string> Workflows = new HashSet<string> { "standard" };

    private const string Default = """
        budget:
          epsilon: 4.0
          delta: 1.0e-6
        maxEpsilonPerRelease: 1.0
        maxReleases: 4
        maxRowsPerRelease: 100000
        allowedGenerators: [aim, mst, made]
        workflow: standard
        releaseExpiryDays: 90
        minEpsilonPerRelease: 0.01
        minSourceRows: 100
        """;

    private static PolicyCatalog Parse(string defaults, string? visits = null)
    {
        var files = new Dictionary<string, string> { ["policies/default.yaml"] = defaults };
        if (visits is not null) files["policies/visits.yaml"] = visits;
        return PolicyLoader.Parse(files, Workflows, Fixtures.EvaluationSections);
    }

    [Fact]
    public void Given_NoPrivacyUnitOrReleaseChecks_When_Loaded_Then_RowUnitDefaultsAndTheDefaultGateEpsilon()
    {
        var policy = Parse(Default).Default;

        Assert.Equal(PrivacyUnitPolicy.Default, policy.PrivacyUnit);
        Assert.False(policy.PrivacyUnit.RequirePersonKey);
        Assert.Equal(1, policy.PrivacyUnit.MaxRowsPerPerson);
        Assert.Equal(DatasetPolicy.DefaultReleaseChecksEpsilon, policy.ReleaseChecksEpsilon);
    }

    [Fact]
    public void Given_DatasetOverride_When_Loaded_Then_ItsUnitAndChecksApplyAndTheRestIsInherited()
    {
        var catalog = Parse(Default + "\nprivacyUnit:\n  maxRowsPerPerson: 2\n", "privacyUnit:\n  requirePersonKey: true\n  maxRowsPerPerson: 6\nreleaseChecks:\n  epsilon: 0.1\n");

        Assert.Equal(new PrivacyUnitPolicy(true, 6), catalog.For("visits").PrivacyUnit);
        Assert.Equal(0.1, catalog.For("visits").ReleaseChecksEpsilon);
        Assert.Equal(new PrivacyUnitPolicy(false, 2), catalog.Default.PrivacyUnit);
    }

    [Theory]
    [InlineData("privacyUnit:\n  maxRowsPerPerson: 0\n", "privacyUnit.maxRowsPerPerson must be between 1 and 1000 (was 0)")]
    [InlineData("releaseChecks:\n  epsilon: 0\n", "releaseChecks.epsilon must be greater than 0 and at most 1 (was 0)")]
    [InlineData("privacyUnit:\n  requirePersonKey: yes\n", "'requirePersonKey' of privacyUnit must be true or false")]
    [InlineData("privacyUnit:\n  maxRows: 3\n", "maxRows")]
    public void Given_InvalidPrivacyUnitOrChecks_When_Loaded_Then_RefusedAtTheFileAndLine(string section, string reason)
    {
        var problem = Assert.Single(Assert.Throws<DefinitionException>(() => Parse(Default, section)).Problems);

        Assert.Equal("policies/visits.yaml", problem.File);
        Assert.Contains(reason, problem.Reason);
    }

    [Fact]
    public void Given_PersonLevelPolicy_When_ReleasePlanned_Then_SynthesisRunsAtRhoOverKSquaredAfterTheChecks()
    {
        var policy = Parse(Default, "privacyUnit:\n  maxRowsPerPerson: 4\n").For("visits");

        var perPerson = policy.PlanRelease(1.0, hasPersonKey: true);
        var perRow = policy.PlanRelease(1.0, hasPersonKey: false);

        Assert.Equal(("person", 4), (perPerson.Unit, perPerson.MaxRowsPerPerson));
        Assert.Equal(("row", 1), (perRow.Unit, perRow.MaxRowsPerPerson));
        Assert.Equal(ZcdpConversion.Rho(1.0, 1e-6), perPerson.TotalRho);
        Assert.Equal((perPerson.TotalRho - 0.05 * 0.05 / 2) / 16, perPerson.SynthesisRhoPerRow, 15);
    }

    [Fact]
    public void Given_ShippedPolicies_When_Loaded_Then_TheyDeclareTheRowUnitAndTheDefaultChecks()
    {
        var catalog = PolicyLoader.LoadDirectory(Fixtures.PoliciesDirectory, Fixtures.ShippedWorkflows.Names, Fixtures.EvaluationSections);

        Assert.All(catalog.All.Values, p => Assert.Equal(DatasetPolicy.DefaultReleaseChecksEpsilon, p.ReleaseChecksEpsilon));
        Assert.All(catalog.All.Values, p => Assert.Equal(PrivacyUnitPolicy.Default, p.PrivacyUnit));
    }
}
