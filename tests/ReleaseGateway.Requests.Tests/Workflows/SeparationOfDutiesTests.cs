using ReleaseGateway.Requests.Workflows;
using ReleaseGateway.Problems;

namespace ReleaseGateway.Requests.Tests.Workflows;

public sealed class SeparationOfDutiesTests
{
    private static readonly Guid Requester = Guid.CreateVersion7();
    private static readonly Guid MemberA = Guid.CreateVersion7();
    private static readonly Guid MemberB = Guid.CreateVersion7();
    private static readonly Guid Officer = Guid.CreateVersion7();

    /// <summary>Voters of the current round have taken the vote key; <paramref name="keys"/> adds acts of earlier rounds and other keys.</summary>
    private static DutyParticipants Participants(Guid[]? voters = null, Guid[]? recused = null, (Guid Who, Duty Key)[]? keys = null) =>
        new(Requester, (voters ?? []).ToHashSet(), (recused ?? []).ToHashSet(),
            (voters ?? []).Select(v => (Who: v, Key: Duty.Vote)).Concat(keys ?? [])
                .GroupBy(k => k.Who).ToDictionary(g => g.Key, g => (IReadOnlySet<Duty>)g.Select(k => k.Key).ToHashSet()));

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
    public void GivenVoter_WhenReleasing_ThenDeniedBecauseOnePersonHoldsOneKey() =>
        Assert.Equal(ErrorCodes.TwoKeysNeedTwoPeople, SeparationOfDuties.Check(MemberA, Duty.Release, Participants(voters: [MemberA])).ErrorCode);

    [Fact]
    public void GivenPipeline_WhenReleasing_ThenAllowed() =>
        Assert.True(SeparationOfDuties.Check(Guid.CreateVersion7(), Duty.Release, Participants(voters: [MemberA, MemberB], keys: [(Officer, Duty.SignOff)])).IsAllowed);

    [Fact]
    public void Bug_MemberWhoVotedInAnEarlierRound_WhenSigningOff_ThenDenied() =>
        Assert.Equal(ErrorCodes.TwoKeysNeedTwoPeople, SeparationOfDuties.Check(MemberA, Duty.SignOff, Participants(keys: [(MemberA, Duty.Vote)])).ErrorCode);

    [Fact]
    public void Bug_MemberWhoVotedInAnEarlierRound_WhenVotingInANewRound_ThenAllowed() =>
        Assert.True(SeparationOfDuties.Check(MemberA, Duty.Vote, Participants(keys: [(MemberA, Duty.Vote)])).IsAllowed);

    [Fact]
    public void Bug_StewardWhoScreened_WhenVoting_ThenDenied() =>
        Assert.Equal(ErrorCodes.TwoKeysNeedTwoPeople, SeparationOfDuties.Check(MemberA, Duty.Vote, Participants(keys: [(MemberA, Duty.Screen)])).ErrorCode);

    [Fact]
    public void Bug_OfficerWhoSignedOff_WhenVotingOnTheRegeneration_ThenDenied() =>
        Assert.Equal(ErrorCodes.TwoKeysNeedTwoPeople, SeparationOfDuties.Check(Officer, Duty.Vote, Participants(keys: [(Officer, Duty.SignOff)])).ErrorCode);

    [Fact]
    public void Bug_VoterOrOfficer_WhenScreeningAResubmission_ThenDenied()
    {
        Assert.Equal(ErrorCodes.TwoKeysNeedTwoPeople, SeparationOfDuties.Check(MemberA, Duty.Screen, Participants(keys: [(MemberA, Duty.Vote)])).ErrorCode);
        Assert.True(SeparationOfDuties.Check(MemberB, Duty.Screen, Participants(keys: [(MemberB, Duty.Screen)])).IsAllowed);
    }

    [Fact]
    public void GivenRequesterWhoAlsoDeclaredConflict_ThenTheRequesterRuleWins() =>
        Assert.Equal(ErrorCodes.RequesterCannotDecide, SeparationOfDuties.Check(Requester, Duty.Vote, Participants(recused: [Requester])).ErrorCode);
}
