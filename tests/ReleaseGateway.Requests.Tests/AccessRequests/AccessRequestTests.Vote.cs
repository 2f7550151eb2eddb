using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.AccessRequests.CastVote;
using ReleaseGateway.Requests.AccessRequests.DeclareConflict;
using static ReleaseGateway.Requests.Tests.Fixtures;

namespace ReleaseGateway.Requests.Tests.AccessRequests;

public sealed partial class AccessRequestTests
{
    private static IReadOnlyList<object> Vote(AccessRequest r, Actor member, string decision = "approve") =>
        CastVoteDecider.Handle(r, new CastVote(r.Id, decision, "fine", member, Now), DefinitionOf(r));

    [Fact]
    public void GivenCommitteeReview_WhenFirstApproval_ThenOnlyTheVoteIsRecorded() =>
        Assert.Equal([Voted(MemberA)], Vote(InReview(), MemberA));

    [Fact]
    public void GivenOneApproval_WhenSecondApproval_ThenApprovedByBoth()
    {
        var events = Vote(Given(Submitted(), Accepted, Voted(MemberA)), MemberB);
        Assert.Equal(2, events.Count);
        Assert.Equal(Voted(MemberB), events[0]);
        var approved = Assert.IsType<AccessRequestApproved>(events[1]);
        Assert.Equal(("Approved", MemberB.Id), (approved.State, approved.ApprovedBy));
        Assert.Equal([MemberA.Id, MemberB.Id], approved.Approvers);
    }

    [Fact]
    public void GivenOneApproval_WhenAnyRejection_ThenRejected()
    {
        var events = Vote(Given(Submitted(), Accepted, Voted(MemberA)), MemberB, "reject");
        var rejected = Assert.IsType<AccessRequestRejected>(events[1]);
        Assert.Equal("Rejected", rejected.State);
        Assert.Equal([MemberB.Id], rejected.Rejecters);
    }

    [Fact]
    public void GivenMemberVoted_WhenVotesAgain_ThenRefusedAsDoubleVote()
    {
        var error = Refusal(() => Vote(Given(Submitted(), Accepted, Voted(MemberA)), MemberA));
        Assert.Equal(("RG1011", 409, "CommitteeReview"), (error.Code, error.Status, error.CurrentState));
    }

    [Fact]
    public void GivenRequesterOnCommittee_WhenVotesOnOwnRequest_ThenRefusedBySeparationOfDuties()
    {
        var error = Refusal(() => Vote(InReview(), ResearcherOnCommittee));
        Assert.Equal(("RG1010", 403), (error.Code, error.Status));
    }

    [Fact]
    public void GivenMemberDeclaredConflict_WhenVotes_ThenRefusedAsRecused()
    {
        var r = Given(Submitted(), Accepted, new ConflictOfInterestDeclared(RequestId, MemberA.Id, Now));
        Assert.Equal("RG1012", Refusal(() => Vote(r, MemberA)).Code);
    }

    [Fact]
    public void GivenCommitteeReview_WhenMemberDeclaresConflict_ThenRecusedAndStateUnchanged()
    {
        var r = InReview();
        var e = DeclareConflictDecider.Handle(r, new DeclareConflict(r.Id, MemberA, Now), DefinitionOf(r));
        Assert.Equal(new ConflictOfInterestDeclared(RequestId, MemberA.Id, Now), e);
        var after = Given(Submitted(), Accepted, e);
        Assert.Equal(("CommitteeReview", true), (after.State, after.Recused.Contains(MemberA.Id)));
    }

    [Fact]
    public void GivenMemberVoted_WhenDeclaresConflictAfterwards_ThenRefused()
    {
        var r = Given(Submitted(), Accepted, Voted(MemberA));
        Assert.Equal("RG1011", Refusal(() => DeclareConflictDecider.Handle(r, new DeclareConflict(RequestId, MemberA, Now), DefinitionOf(r))).Code);
    }

    [Fact]
    public void GivenScreening_WhenMemberVotes_ThenRefusedWithCurrentState()
    {
        var error = Refusal(() => Vote(Given(Submitted()), MemberA));
        Assert.Equal(("RG2001", 409, "Screening"), (error.Code, error.Status, error.CurrentState));
    }

    [Fact]
    public void GivenCommitteeReview_WhenResearcherVotes_ThenRefusedForRole() =>
        Assert.Equal("RG2002", Refusal(() => Vote(InReview(), OtherResearcher)).Code);

    [Fact]
    public void GivenBadDecision_WhenVoting_ThenValidationFails() =>
        Assert.Throws<FluentValidation.ValidationException>(() => Vote(InReview(), MemberA, "abstain"));

    [Fact]
    public void GivenApproved_WhenThirdMemberApproves_ThenRefusedSoTheQuorumCountsOnce()
    {
        var approved = new AccessRequestApproved(RequestId, "Approved", [MemberA.Id, MemberB.Id], MemberB.Id, Now);
        var r = Given(Submitted(), Accepted, Voted(MemberA), Voted(MemberB), approved);
        var error = Refusal(() => Vote(r, MemberC));
        Assert.Equal(("RG2001", "Approved"), (error.Code, error.CurrentState));
    }

    [Fact]
    public void GivenTwoVotesDecidedOnTheSameVersion_WhenTheSecondIsRedecidedOnTheNewState_ThenItCountsOnce()
    {
        // Both members decide against version 2 (one approval so far would be needed): each alone would approve.
        var before = Given(Submitted(), Accepted, Voted(MemberA));
        var first = Vote(before, MemberB);
        var second = Vote(before, MemberC);
        Assert.IsType<AccessRequestApproved>(first[^1]);
        Assert.IsType<AccessRequestApproved>(second[^1]);
        // Only one append wins (expected version); the loser decides again on the state the winner produced.
        var after = Given([Submitted(), Accepted, Voted(MemberA), .. first]);
        Assert.Equal("RG2001", Refusal(() => Vote(after, MemberC)).Code);
        Assert.Equal(before.Version + 2, after.Version);
    }
}
