using FluentValidation;
using ReleaseGateway.Problems;
using ReleaseGateway.Requests.AccessRequests.SubmitAccessRequest;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Datasets.Lifecycle;
using ReleaseGateway.Requests.Definitions;
using ReleaseGateway.Requests.Policies;
using static ReleaseGateway.Requests.Tests.Fixtures;

namespace ReleaseGateway.Requests.Tests.Datasets;

/// <summary>The lifecycle's rules as pure functions: versions, policy changes, retirement (ADR 0057).</summary>
public sealed class DatasetLifecycleTests
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

    private static PolicyCatalog Parse(string? cohorts = null)
    {
        var files = new Dictionary<string, string> { ["policies/default.yaml"] = Default, ["policies/strict.yaml"] = "maxEpsilonPerRelease: 0.5\n" };
        if (cohorts is not null) files["policies/cohorts.yaml"] = cohorts;
        return PolicyLoader.Parse(files, Workflows, EvaluationSections);
    }

    [Fact]
    public void Given_NoVersionsSection_When_Loaded_Then_TheLedgerContinuesWithAReasonThatSaysWhy()
    {
        var policy = Parse().Default;
        Assert.Equal(VersionsPolicy.Default, policy.Versions);
        var (ledger, reason) = DatasetLifecycleDecider.LedgerOf(policy);
        Assert.Equal(VersionLedger.Continue, ledger);
        Assert.Contains("may hold people of earlier ones", reason);
    }

    [Fact]
    public void Given_ARestartWithItsStatement_When_Loaded_Then_TheLedgerRestartsWithThePolicysReason()
    {
        var policy = Parse("versions:\n  ledger: restart\n  reason: a new cohort each year\n").For("cohorts");
        var (ledger, reason) = DatasetLifecycleDecider.LedgerOf(policy);
        Assert.Equal(VersionLedger.Restart, ledger);
        Assert.Contains("a new cohort each year", reason);
    }

    [Theory]
    [InlineData("versions:\n  ledger: restart\n", "versions.reason is required")]
    [InlineData("versions:\n  ledger: forget\n", "versions.ledger must be 'continue' or 'restart'")]
    [InlineData("versions:\n  ledger: continue\n  why: x\n", "why")]
    public void Given_AnUnsoundVersionsSection_When_Loaded_Then_RefusedAtTheFile(string section, string reason)
    {
        var problem = Assert.Single(Assert.Throws<DefinitionException>(() => Parse(section)).Problems);
        Assert.Equal("policies/cohorts.yaml", problem.File);
        Assert.Contains(reason, problem.Reason);
    }

    [Fact]
    public void Given_APolicyChange_When_Decided_Then_TheEventNamesBothPoliciesAndTheDatasetFollowsTheNewOneForNewRequestsOnly()
    {
        var catalog = Parse();
        var dataset = Dataset();
        var changed = DatasetLifecycleDecider.ChangePolicy(dataset, catalog.Of(dataset), catalog.Named("strict"), new ChangeDatasetPolicy("strict", "Ethics review"),
            Steward, Now);
        Assert.Equal(("strict", "default", "Ethics review"), (changed.Policy, changed.PreviousPolicy, changed.Reason));

        var after = DatasetDetails.Evolve(dataset, changed)!;
        Assert.Equal("strict", catalog.Of(after).Name);
        Assert.Equal("default", catalog.OfRequest("default", after).Name);
        Assert.Equal("strict", catalog.OfRequest(null, after).Name);
    }

    [Fact]
    public void Given_WrongCallersOrStates_When_ThePolicyChanges_Then_EachRefusalHasItsCode()
    {
        var catalog = Parse();
        var dataset = Dataset();
        var command = new ChangeDatasetPolicy("strict", "Ethics review");
        Assert.Equal(ErrorCodes.NotDatasetSteward,
            Refusal(() => DatasetLifecycleDecider.ChangePolicy(dataset, catalog.Default, catalog.Named("strict"), command, MemberA, Now)).Code);
        Assert.Equal(ErrorCodes.PolicyUnchanged,
            Refusal(() => DatasetLifecycleDecider.ChangePolicy(dataset, catalog.Default, catalog.Default, command with { Policy = "default" }, Steward, Now)).Code);
        Assert.Equal(ErrorCodes.PolicyNotLoaded, Refusal(() => catalog.Named("missing")).Code);
        Assert.Throws<ValidationException>(() =>
            DatasetLifecycleDecider.ChangePolicy(dataset, catalog.Default, catalog.Named("strict"), command with { Reason = "" }, Steward, Now));
        var retired = DatasetDetails.Evolve(dataset, DatasetLifecycleDecider.Retire(dataset, new RetireDataset("Closed"), Steward, Now))!;
        Assert.Equal(ErrorCodes.DatasetRetired,
            Refusal(() => DatasetLifecycleDecider.ChangePolicy(retired, catalog.Default, catalog.Named("strict"), command, Steward, Now)).Code);
    }

    [Fact]
    public void Given_ARetiredDataset_When_ARequestIsSubmitted_Then_RefusedAsRetired()
    {
        var dataset = Dataset();
        var retired = DatasetDetails.Evolve(dataset, DatasetLifecycleDecider.Retire(dataset, new RetireDataset("Superseded"), Steward, Now))!;
        Assert.True(retired.IsRetired);
        Assert.Equal("Superseded", retired.RetiredReason);
        var refusal = Refusal(() => SubmitAccessRequestDecider.Handle(new SubmitAccessRequest(RequestId, DatasetId, Terms(), Researcher, Now), retired,
            Parse().Default, Standard));
        Assert.Equal(ErrorCodes.DatasetRetired, refusal.Code);
        Assert.Equal(ErrorCodes.DatasetRetired, Refusal(() => DatasetLifecycleDecider.Retire(retired, new RetireDataset("again"), Steward, Now)).Code);
    }

    [Fact]
    public void Given_ANewVersion_When_Applied_Then_TheDatasetCarriesItsVersionAndFacts()
    {
        var dataset = Dataset();
        Assert.Equal(1, dataset.CurrentVersion);
        var after = DatasetDetails.Evolve(dataset, new DatasetVersionUploaded(DatasetId, 2, 150, 4096, "abc", "default", VersionLedger.Continue, "why", "new", Steward.Id, Now))!;
        Assert.Equal((2, 150L, "abc"), (after.CurrentVersion, after.SourceRows!.Value, after.SourceSha256));
        Assert.Equal(0, Dataset(sourceUploaded: false).CurrentVersion);
    }

    [Fact]
    public void Given_ASubmission_When_Decided_Then_ThePolicyItIsSubmittedUnderIsRecorded()
    {
        var submitted = SubmitAccessRequestDecider.Handle(new SubmitAccessRequest(RequestId, DatasetId, Terms(), Researcher, Now), Dataset(), Parse().Named("strict") with
        {
            MaxEpsilonPerRelease = 1.0,
        }, Standard);
        Assert.Equal("strict", submitted.Policy);
        Assert.Equal("strict", Given(submitted).Policy);
    }
}
