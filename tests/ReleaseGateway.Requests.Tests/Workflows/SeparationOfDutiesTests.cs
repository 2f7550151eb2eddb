using ReleaseGateway.Requests.Workflows;
using ReleaseGateway.Problems;

namespace ReleaseGateway.Requests.Tests.Workflows;

public sealed class SeparationOfDutiesTests
{
    private static readonly Guid Requester = Guid.CreateVersion7();
    private static readonly Guid MemberA = Guid.CreateVersion7();
    private static readonly Guid MemberB = Guid.CreateVersion7();
    private static readonly Guid Officer = Guid.CreateVersion7();

    private static DutyParticipants Participants(Guid[]? voters = null, Guid[]? recused = null) =>
        new(Requester, (voters ?? []).ToHashSet(), (recused ?? []).ToHashSet());

    [Theory]
    [InlineData(Duty.Vote)]
    [InlineData(Duty.SignOff)]
    [InlineData(Duty.Release)]
    public void GivenRequester_WhenActingOnOwnRequest_ThenDenied(Duty duty)
    {
        var decision = SeparationOfDuties.Check(Requester, duty, Participants());
        Assert.False(decision.IsAllowed);
        Assert.Equal(ErrorCodes.RequesterCannotDecide, decision.ErrorCode);
    }

    [Fact]
    public void GivenMemberWhoHasNotVoted_WhenVoting_ThenAllowed() =>
        Assert.Equal(DutyDecision.Allowed, SeparationOfDuties.Check(MemberA, Duty.Vote, Participants(voters: [MemberB])));

    [Fact]
    public void GivenMemberWhoVoted_WhenVotingAgain_ThenDenied() =>
        Assert.Equal(ErrorCodes.AlreadyVoted, SeparationOfDuties.Check(MemberA, Duty.Vote, Participants(voters: [MemberA])).ErrorCode);

    [Theory]
    [InlineData(Duty.Vote)]
    [InlineData(Duty.SignOff)]
    [InlineData(Duty.Release)]
    public void GivenRecusedMember_WhenActing_ThenDenied(Duty duty) =>
        Assert.Equal(ErrorCodes.Recused, SeparationOfDuties.Check(MemberA, duty, Participants(recused: [MemberA])).ErrorCode);

    [Fact]
    public void GivenVoter_WhenSigningOff_ThenDeniedBecauseTheTwoKeysWouldBeOnePerson() =>
        Assert.Equal(ErrorCodes.TwoKeysNeedTwoPeople, SeparationOfDuties.Check(MemberA, Duty.SignOff, Participants(voters: [MemberA, MemberB])).ErrorCode);

    [Fact]
    public void GivenOfficerWhoDidNotVote_WhenSigningOff_ThenAllowed() =>
        Assert.True(SeparationOfDuties.Check(Officer, Duty.SignOff, Participants(voters: [MemberA, MemberB])).IsAllowed);

    [Fact]
    public void GivenVoter_WhenReleasing_ThenAllowed() =>
        Assert.True(SeparationOfDuties.Check(MemberA, Duty.Release, Participants(voters: [MemberA])).IsAllowed);

    [Fact]
    public void GivenRequesterWhoAlsoDeclaredConflict_ThenTheRequesterRuleWins() =>
        Assert.Equal(ErrorCodes.RequesterCannotDecide, SeparationOfDuties.Check(Requester, Duty.Vote, Participants(recused: [Requester])).ErrorCode);
}
