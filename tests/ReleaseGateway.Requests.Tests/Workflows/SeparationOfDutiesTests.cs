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
    public void Given_Requester_When_ActingOnOwnRequest_Then_Denied(Duty duty)
    {
        var decision = SeparationOfDuties.Check(Requester, duty, Participants());
        Assert.False(decision.IsAllowed);
        Assert.Equal(ErrorCodes.RequesterCannotDecide, decision.ErrorCode);
    }

    [Fact]
    public void Given_MemberWhoHasNotVoted_When_Voting_Then_Allowed() =>
        Assert.Equal(DutyDecision.Allowed, SeparationOfDuties.Check(MemberA, Duty.Vote, Participants(voters: [MemberB])));

    [Fact]
    public void Given_MemberWhoVoted_When_VotingAgain_Then_Denied() =>
        Assert.Equal(ErrorCodes.AlreadyVoted, SeparationOfDuties.Check(MemberA, Duty.Vote, Participants(voters: [MemberA])).ErrorCode);

    [Theory]
    [InlineData(Duty.Vote)]
    [InlineData(Duty.SignOff)]
    [InlineData(Duty.Release)]
    public void Given_RecusedMember_When_Acting_Then_Denied(Duty duty) =>
        Assert.Equal(ErrorCodes.Recused, SeparationOfDuties.Check(MemberA, duty, Participants(recused: [MemberA])).ErrorCode);

    [Fact]
    public void Given_Voter_When_SigningOff_Then_DeniedBecauseTheTwoKeysWouldBeOnePerson() =>
        Assert.Equal(ErrorCodes.TwoKeysNeedTwoPeople, SeparationOfDuties.Check(MemberA, Duty.SignOff, Participants(voters: [MemberA, MemberB])).ErrorCode);

    [Fact]
    public void Given_OfficerWhoDidNotVote_When_SigningOff_Then_Allowed() =>
        Assert.True(SeparationOfDuties.Check(Officer, Duty.SignOff, Participants(voters: [MemberA, MemberB])).IsAllowed);

    [Fact]
    public void Given_Voter_When_Releasing_Then_DeniedBecauseOnePersonHoldsOneKey() =>
        Assert.Equal(ErrorCodes.TwoKeysNeedTwoPeople, SeparationOfDuties.Check(MemberA, Duty.Release, Participants(voters: [MemberA])).ErrorCode);

    [Fact]
    public void Given_Pipeline_When_Releasing_Then_Allowed() =>
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
    public void Given_RequesterWhoAlsoDeclaredAConflict_When_Checked_Then_TheRequesterRuleWins() =>
        Assert.Equal(ErrorCodes.RequesterCannotDecide, SeparationOfDuties.Check(Requester, Duty.Vote, Participants(recused: [Requester])).ErrorCode);
}
