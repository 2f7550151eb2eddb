using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.AccessRequests.AcceptForReview;
using ReleaseGateway.Requests.AccessRequests.RequestChanges;
using ReleaseGateway.Requests.AccessRequests.ResubmitAccessRequest;
using static ReleaseGateway.Requests.Tests.Fixtures;

namespace ReleaseGateway.Requests.Tests.AccessRequests;

public sealed partial class AccessRequestTests
{
    private static AccessRequestAcceptedForReview Accept(AccessRequest r, Actor actor) =>
        AcceptForReviewDecider.Handle(r, new AcceptForReview(r.Id, actor, Now), DefinitionOf(r));

    [Fact]
    public void Given_Screening_When_StewardAccepts_Then_InCommitteeReview() =>
        Assert.Equal(Accepted, Accept(Given(Submitted()), Steward));

    [Fact]
    public void Given_Screening_When_ResearcherAccepts_Then_RefusedForRole()
    {
        var error = Refusal(() => Accept(Given(Submitted()), Researcher));
        Assert.Equal(("RG2002", 403, "Screening"), (error.Code, error.Status, error.CurrentState));
    }

    [Fact]
    public void Given_CommitteeReview_When_AcceptedAgain_Then_RefusedWithCurrentState()
    {
        var error = Refusal(() => Accept(InReview(), Steward));
        Assert.Equal(("RG2001", 409, "CommitteeReview"), (error.Code, error.Status, error.CurrentState));
    }

    [Fact]
    public void Given_CommitteeReview_When_MemberRequestsChanges_Then_ChangesRequestedAndVotesStartAfresh()
    {
        var r = Given(Submitted(), Accepted, Voted(MemberA));
        var e = RequestChangesDecider.Handle(r, new RequestChanges(r.Id, "Narrow the columns", MemberB, Now), DefinitionOf(r));
        Assert.Equal(new AccessRequestChangesRequested(RequestId, "ChangesRequested", "Narrow the columns", MemberB.Id, Now), e);
        var resubmitted = new AccessRequestResubmitted(RequestId, "Screening", Terms(columns: ["age"]), Researcher.Id, Now);
        var after = Given(Submitted(), Accepted, Voted(MemberA), e, resubmitted, Accepted);
        Assert.Empty(after.Votes);
        Assert.Equal(["age"], after.Terms.Columns);
    }

    [Fact]
    public void Given_ChangesRequested_When_AnotherResearcherResubmits_Then_RefusedAsNotRequester()
    {
        var r = Given(Submitted(), new AccessRequestChangesRequested(RequestId, "ChangesRequested", "x", Steward.Id, Now));
        var error = Refusal(() => ResubmitAccessRequestDecider.Handle(r, new ResubmitAccessRequest(r.Id, Terms(), OtherResearcher, Now),
            DefinitionOf(r), Dataset(), ShippedPolicies.For("demo")));
        Assert.Equal("RG2003", error.Code);
    }

    [Fact]
    public void Given_ChangesRequested_When_RequesterResubmits_Then_BackInScreening()
    {
        var r = Given(Submitted(), new AccessRequestChangesRequested(RequestId, "ChangesRequested", "x", Steward.Id, Now));
        var e = ResubmitAccessRequestDecider.Handle(r, new ResubmitAccessRequest(r.Id, Terms(epsilon: 0.5), Researcher, Now),
            DefinitionOf(r), Dataset(), ShippedPolicies.For("demo"));
        Assert.Equal("Screening", e.State);
        Assert.Equal(0.5, e.Terms.Epsilon);
    }
}
