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
    public void Given_CommitteeReview_When_FirstApproval_Then_OnlyTheVoteIsRecorded() =>
        Assert.Equal([Voted(MemberA)], Vote(InReview(), MemberA));

    [Fact]
    public void Given_OneApproval_When_SecondApproval_Then_ApprovedByBoth()
    {
        var events = Vote(Given(Submitted(), Accepted, Voted(MemberA)), MemberB);
        Assert.Equal(2, events.Count);
        Assert.Equal(Voted(MemberB), events[0]);
        var approved = Assert.IsType<AccessRequestApproved>(events[1]);
        Assert.Equal(("Approved", MemberB.Id), (approved.State, approved.ApprovedBy));
        Assert.Equal([MemberA.Id, MemberB.Id], approved.Approvers);
    }

    [Fact]
    public void Given_OneApproval_When_AnyRejection_Then_Rejected()
    {
        var events = Vote(Given(Submitted(), Accepted, Voted(MemberA)), MemberB, "reject");
        var rejected = Assert.IsType<AccessRequestRejected>(events[1]);
        Assert.Equal("Rejected", rejected.State);
        Assert.Equal([MemberB.Id], rejected.Rejecters);
    }

    [Fact]
    public void Given_MemberVoted_When_VotesAgain_Then_RefusedAsDoubleVote()
    {
        var error = Refusal(() => Vote(Given(Submitted(), Accepted, Voted(MemberA)), MemberA));
        Assert.Equal(("RG1011", 409, "CommitteeReview"), (error.Code, error.Status, error.CurrentState));
    }

    [Fact]
    public void Given_RequesterOnCommittee_When_VotesOnOwnRequest_Then_RefusedBySeparationOfDuties()
    {
        var error = Refusal(() => Vote(InReview(), ResearcherOnCommittee));
        Assert.Equal(("RG1010", 403), (error.Code, error.Status));
    }

    [Fact]
    public void Given_MemberDeclaredConflict_When_Votes_Then_RefusedAsRecused()
    {
        var r = Given(Submitted(), Accepted, new ConflictOfInterestDeclared(RequestId, MemberA.Id, Now));
        Assert.Equal("RG1012", Refusal(() => Vote(r, MemberA)).Code);
    }

    [Fact]
    public void Given_CommitteeReview_When_MemberDeclaresConflict_Then_RecusedAndStateUnchanged()
    {
        var r = InReview();
        var e = DeclareConflictDecider.Handle(r, new DeclareConflict(r.Id, MemberA, Now), DefinitionOf(r));
        Assert.Equal(new ConflictOfInterestDeclared(RequestId, MemberA.Id, Now), e);
        var after = Given(Submitted(), Accepted, e);
        Assert.Equal(("CommitteeReview", true), (after.State, after.Recused.Contains(MemberA.Id)));
    }

    [Fact]
    public void Given_MemberVoted_When_DeclaresConflictAfterwards_Then_Refused()
    {
        var r = Given(Submitted(), Accepted, Voted(MemberA));
        Assert.Equal("RG1011", Refusal(() => DeclareConflictDecider.Handle(r, new DeclareConflict(RequestId, MemberA, Now), DefinitionOf(r))).Code);
    }

    [Fact]
    public void Given_Screening_When_MemberVotes_Then_RefusedWithCurrentState()
    {
        var error = Refusal(() => Vote(Given(Submitted()), MemberA));
        Assert.Equal(("RG2001", 409, "Screening"), (error.Code, error.Status, error.CurrentState));
    }

    [Fact]
    public void Given_CommitteeReview_When_ResearcherVotes_Then_RefusedForRole() =>
        Assert.Equal("RG2002", Refusal(() => Vote(InReview(), OtherResearcher)).Code);

    [Fact]
    public void Given_BadDecision_When_Voting_Then_ValidationFails() =>
        Assert.Throws<FluentValidation.ValidationException>(() => Vote(InReview(), MemberA, "abstain"));

    [Fact]
    public void Given_Approved_When_ThirdMemberApproves_Then_RefusedSoTheQuorumCountsOnce()
    {
        var approved = new AccessRequestApproved(RequestId, "Approved", [MemberA.Id, MemberB.Id], MemberB.Id, Now);
        var r = Given(Submitted(), Accepted, Voted(MemberA), Voted(MemberB), approved);
        var error = Refusal(() => Vote(r, MemberC));
        Assert.Equal(("RG2001", "Approved"), (error.Code, error.CurrentState));
    }

    [Fact]
    public void Given_TwoVotesDecidedOnTheSameVersion_When_TheSecondIsRedecidedOnTheNewState_Then_ItCountsOnce()
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
