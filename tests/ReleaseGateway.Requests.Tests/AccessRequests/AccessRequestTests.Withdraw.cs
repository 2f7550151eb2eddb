using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.AccessRequests.WithdrawAccessRequest;
using static ReleaseGateway.Requests.Tests.Fixtures;

namespace ReleaseGateway.Requests.Tests.AccessRequests;

public sealed partial class AccessRequestTests
{
    private static AccessRequestWithdrawn Withdraw(AccessRequest r, Actor actor) =>
        WithdrawAccessRequestDecider.Handle(r, new WithdrawAccessRequest(r.Id, actor, Now), DefinitionOf(r));

    [Fact]
    public void Given_CommitteeReview_When_RequesterWithdraws_Then_Withdrawn() =>
        Assert.Equal(new AccessRequestWithdrawn(RequestId, "CommitteeReview", "Withdrawn", Researcher.Id, Now), Withdraw(InReview(), Researcher));

    [Fact]
    public void Given_CommitteeReview_When_AnotherResearcherWithdraws_Then_RefusedAsNotRequester() =>
        Assert.Equal("RG2003", Refusal(() => Withdraw(InReview(), OtherResearcher)).Code);

    [Fact]
    public void Given_WithdrawnRequest_When_Approved_Then_RefusedWithCurrentState()
    {
        var r = Given(Submitted(), Accepted, new AccessRequestWithdrawn(RequestId, "CommitteeReview", "Withdrawn", Researcher.Id, Now));
        var error = Refusal(() => Vote(r, MemberA));
        Assert.Equal(("RG2001", 409, "Withdrawn"), (error.Code, error.Status, error.CurrentState));
    }

    [Fact]
    public void Given_ReleasedRequest_When_RequesterWithdraws_Then_Refused() =>
        Assert.Equal(("RG2001", "Released"), (Refusal(() => Withdraw(Given(Submitted("Released")), Researcher)) is var e ? (e.Code, e.CurrentState) : default));
}
