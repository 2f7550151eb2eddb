using FluentValidation;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.AccessRequests.SubmitAccessRequest;
using static ReleaseGateway.Requests.Tests.Fixtures;

namespace ReleaseGateway.Requests.Tests.AccessRequests;

public sealed partial class AccessRequestTests
{
    private static AccessRequestSubmitted Submit(Actor actor, AccessRequestTerms terms, bool sourceUploaded = true) =>
        SubmitAccessRequestDecider.Handle(new SubmitAccessRequest(RequestId, DatasetId, terms, actor, Now),
            Dataset(sourceUploaded), ShippedPolicies.For("demo"), ShippedWorkflows.Get(ShippedPolicies.For("demo").Workflow));

    [Fact]
    public void GivenDatasetWithSource_WhenResearcherSubmits_ThenSubmittedInTheWorkflowsInitialState()
    {
        var e = Submit(Researcher, Terms());
        Assert.Equal((RequestId, DatasetId, "standard", "Screening", Researcher.Id, Now), (e.RequestId, e.DatasetId, e.Workflow, e.State, e.SubmittedBy, e.SubmittedAt));
        Assert.Empty(e.OptionalSteps);
        Assert.Equal("Screening", AccessRequest.Rebuild([e])!.State);
    }

    [Theory]
    [InlineData(5e-324)]
    [InlineData(0.005)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Bug_EpsilonBelowThePolicyMinimum_IsRefusedNamingTheRange(double epsilon)
    {
        var e = Assert.Throws<ValidationException>(() => Submit(Researcher, Terms(epsilon: epsilon)));
        var error = Assert.Single(e.Errors);
        Assert.Equal("Epsilon", error.PropertyName);
        Assert.Contains("from 0.01 to 1 per release", error.ErrorMessage);
    }

    [Fact]
    public void GivenPolicyMaxEpsilon_WhenEpsilonAboveIt_ThenValidationNamesTheLimit()
    {
        var e = Assert.Throws<ValidationException>(() => Submit(Researcher, Terms(epsilon: 1.5)));
        var error = Assert.Single(e.Errors);
        Assert.Equal("Epsilon", error.PropertyName);
        Assert.Contains("from 0.01 to 1 per release", error.ErrorMessage);
    }

    [Fact]
    public void GivenDatasetColumns_WhenUnknownColumnRequested_ThenValidationNamesIt()
    {
        var e = Assert.Throws<ValidationException>(() => Submit(Researcher, Terms(columns: ["age", "postcode"])));
        Assert.Contains(e.Errors, x => x.ErrorMessage.Contains("'postcode' is not a column"));
    }

    [Fact]
    public void GivenPolicyAllowList_WhenGeneratorNotAllowed_ThenValidationFails()
    {
        var e = Assert.Throws<ValidationException>(() => Submit(Researcher, Terms(generator: "mst")));
        Assert.Contains(e.Errors, x => x.PropertyName == "Generator");
    }

    [Theory]
    [InlineData("gan")]
    [InlineData("AIM")]
    [InlineData("")]
    public void GivenAGeneratorTheRegistryDoesNotKnow_WhenSubmitted_ThenRefusedNamingItAndTheKnownOnes(string generator)
    {
        var e = Assert.Throws<ValidationException>(() => Submit(Researcher, Terms(generator: generator)));

        var error = Assert.Single(e.Errors, x => x.PropertyName == "Generator");
        Assert.Equal($"Generator '{generator}' is unknown (known: aim, mst, made).", error.ErrorMessage);
    }

    [Fact]
    public void GivenNoGenerator_WhenSubmitted_ThenAccepted() => Assert.Null(Submit(Researcher, Terms(generator: null)).Terms.Generator);

    [Fact]
    public void GivenPolicySwitchingOnTheSignOff_WhenSubmitted_ThenTheRequestCarriesTheStep()
    {
        var policy = ShippedPolicies.For("demo") with { OptionalSteps = ["AwaitingSignOff"] };
        var e = SubmitAccessRequestDecider.Handle(new SubmitAccessRequest(RequestId, DatasetId, Terms(), Researcher, Now), Dataset(), policy, Standard);
        Assert.Equal(["AwaitingSignOff"], e.OptionalSteps);
    }

    [Fact]
    public void GivenSteward_WhenSubmits_ThenRefusedForRole() =>
        Assert.Equal("RG2002", Refusal(() => Submit(Steward, Terms())).Code);

    [Fact]
    public void GivenDatasetWithoutSource_WhenSubmitted_ThenRefused() =>
        Assert.Equal("RG2017", Refusal(() => Submit(Researcher, Terms(), sourceUploaded: false)).Code);
}
