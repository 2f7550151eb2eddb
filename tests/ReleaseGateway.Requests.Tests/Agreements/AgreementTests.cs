using FluentValidation;
using ReleaseGateway.EventStore;
using ReleaseGateway.Problems;
using ReleaseGateway.Requests.Agreements;
using ReleaseGateway.Requests.Definitions;
using ReleaseGateway.Requests.Policies;

namespace ReleaseGateway.Requests.Tests.Agreements;

public sealed class AgreementTests
{
    private static readonly Guid Dataset = Guid.Parse("0193a000-0000-7000-8000-000000000001");
    private static readonly DateTimeOffset At = new(2026, 12, 8, 9, 0, 0, TimeSpan.Zero);

    private static StoredEvent Stored(object data, long version) => new(version, DataUseAgreement.StreamId(Dataset), version, data.GetType().Name, 1, "{}",
        new EventMetadata("steward", "DataSteward", "c"), At, "", "", data);

    private static DataUseAgreementPublished Published(int number, string text) =>
        new(Dataset, number, "DUA", text, DataUseAgreement.Hash("DUA", text), "steward", At);

    [Fact]
    public void Given_TwoPublishedVersions_When_Projected_Then_TheLaterIsCurrentAndBothAreKept()
    {
        var projection = new DataUseAgreementProjection();
        var agreement = projection.Apply(projection.Apply(null, Stored(Published(1, "one"), 1)), Stored(Published(2, "two"), 2))!;
        Assert.Equal([1, 2], agreement.Versions.Select(v => v.Number));
        Assert.Equal("two", agreement.Current.Text);
        Assert.Equal(2, agreement.Version);
    }

    [Fact]
    public void Given_OneDataset_When_ItsStreamIdIsDerived_Then_ItIsStableAndNotTheDatasetsOwn()
    {
        Assert.Equal(DataUseAgreement.StreamId(Dataset), DataUseAgreement.StreamId(Dataset));
        Assert.NotEqual(Dataset, DataUseAgreement.StreamId(Dataset));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData(1, true)]
    [InlineData(2, false)]
    public void Given_AnAcceptedVersion_When_TheCurrentIsVersion2_Then_OnlyAcceptingVersion2Suffices(int? accepted, bool mustAccept)
    {
        var current = new AgreementVersion(2, "DUA", "two", "h", "steward", At);
        Assert.Equal(mustAccept, new AgreementStatus(Guid.NewGuid(), Dataset, current, accepted, null).MustAccept);
    }

    [Fact]
    public void Given_NoAgreement_When_StatusIsAsked_Then_NothingMustBeAccepted() =>
        Assert.False(new AgreementStatus(Guid.NewGuid(), Dataset, null, null, null).MustAccept);

    [Theory]
    [InlineData("", "text")]
    [InlineData("DUA", "")]
    [InlineData("DUA\u0007", "text")]
    public void Given_AnInvalidText_When_Published_Then_ValidationFails(string title, string text) =>
        Assert.False(new PublishDataUseAgreementValidator().Validate(new PublishDataUseAgreement(Dataset, title, text)).IsValid);

    [Fact]
    public void Given_VersionZero_When_Accepted_Then_ValidationFails() =>
        Assert.Throws<ValidationException>(() => new AcceptDataUseAgreementValidator().ValidateAndThrow(new AcceptDataUseAgreement(Guid.NewGuid(), 0)));

    [Fact]
    public void Given_AnUnacceptedAgreement_When_TheRefusalIsBuilt_Then_ItSaysWhereToAcceptWithTheTablesStatus()
    {
        var requestId = Guid.NewGuid();
        var releaseId = Guid.NewGuid();
        var error = AgreementErrors.NotAccepted(releaseId, requestId, new AgreementVersion(3, "DUA", "t", "h", "s", At));
        Assert.Equal(ErrorCodes.AgreementNotAccepted, error.Code);
        Assert.Equal(ErrorCodes.Get(error.Code).Status, error.Status);
        Assert.Equal($"/requests/{requestId}/agreement/accept", error.Extensions!["accept"]);
        Assert.Equal(3, error.Extensions["version"]);
        Assert.Contains($"rgw agreements accept {requestId}", error.Detail);
    }

    [Theory]
    [InlineData("closeOut: required\n", CloseOutRules.Required)]
    [InlineData("", CloseOutRules.Optional)]
    public void Given_APolicy_When_ItsCloseOutIsRead_Then_ItIsRequiredOnlyWhenItSaysSo(string line, string expected)
    {
        var files = new Dictionary<string, string> { ["policies/default.yaml"] = PolicyYaml + line };
        Assert.Equal(expected, PolicyLoader.Parse(files, new HashSet<string> { "standard" }, Fixtures.EvaluationSections).Default.CloseOut);
    }

    [Fact]
    public void Given_AnUnknownCloseOutRule_When_ThePolicyLoads_Then_StartUpStopsNamingTheKey()
    {
        var files = new Dictionary<string, string> { ["policies/default.yaml"] = PolicyYaml + "closeOut: sometimes\n" };
        var problem = Assert.Single(Assert.Throws<DefinitionException>(() =>
            PolicyLoader.Parse(files, new HashSet<string> { "standard" }, Fixtures.EvaluationSections)).Problems);
        Assert.Contains("closeOut", problem.ToString());
    }

    private const string PolicyYaml = """
        budget:
          epsilon: 4.0
          delta: 1.0e-6
        maxEpsilonPerRelease: 1.0
        maxReleases: 4
        maxRowsPerRelease: 100000
        allowedGenerators: [aim]
        workflow: standard
        releaseExpiryDays: 90
        minEpsilonPerRelease: 0.01
        minSourceRows: 100

        """;
}
