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
    public void Given_DatasetWithSource_When_ResearcherSubmits_Then_SubmittedInTheWorkflowsInitialState()
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
    public void Given_PolicyMaxEpsilon_When_EpsilonAboveIt_Then_ValidationNamesTheLimit()
    {
        var e = Assert.Throws<ValidationException>(() => Submit(Researcher, Terms(epsilon: 1.5)));
        var error = Assert.Single(e.Errors);
        Assert.Equal("Epsilon", error.PropertyName);
        Assert.Contains("from 0.01 to 1 per release", error.ErrorMessage);
    }

    [Fact]
    public void Given_DatasetColumns_When_UnknownColumnRequested_Then_ValidationNamesIt()
    {
        var e = Assert.Throws<ValidationException>(() => Submit(Researcher, Terms(columns: ["age", "postcode"])));
        Assert.Contains(e.Errors, x => x.ErrorMessage.Contains("'postcode' is not a column"));
    }

    [Fact]
    public void Given_PolicyAllowList_When_GeneratorNotAllowed_Then_ValidationFails()
    {
        var e = Assert.Throws<ValidationException>(() => Submit(Researcher, Terms(generator: "mst")));
        Assert.Contains(e.Errors, x => x.PropertyName == "Generator");
    }

    [Theory]
    [InlineData("gan")]
    [InlineData("AIM")]
    [InlineData("")]
    public void Given_AGeneratorTheRegistryDoesNotKnow_When_Submitted_Then_RefusedNamingItAndTheKnownOnes(string generator)
    {
        var e = Assert.Throws<ValidationException>(() => Submit(Researcher, Terms(generator: generator)));

        var error = Assert.Single(e.Errors, x => x.PropertyName == "Generator");
        Assert.Equal($"Generator '{generator}' is unknown (known: aim, mst, made).", error.ErrorMessage);
    }

    [Fact]
    public void Given_NoGenerator_When_Submitted_Then_Accepted() => Assert.Null(Submit(Researcher, Terms(generator: null)).Terms.Generator);

    [Fact]
    public void Given_PolicySwitchingOnTheSignOff_When_Submitted_Then_TheRequestCarriesTheStep()
    {
        var policy = ShippedPolicies.For("demo") with { OptionalSteps = ["AwaitingSignOff"] };
        var e = SubmitAccessRequestDecider.Handle(new SubmitAccessRequest(RequestId, DatasetId, Terms(), Researcher, Now), Dataset(), policy, Standard);
        Assert.Equal(["AwaitingSignOff"], e.OptionalSteps);
    }

    [Fact]
    public void Given_Steward_When_Submits_Then_RefusedForRole() =>
        Assert.Equal("RG2002", Refusal(() => Submit(Steward, Terms())).Code);

    [Fact]
    public void Given_DatasetWithoutSource_When_Submitted_Then_Refused() =>
        Assert.Equal("RG2017", Refusal(() => Submit(Researcher, Terms(), sourceUploaded: false)).Code);
}
