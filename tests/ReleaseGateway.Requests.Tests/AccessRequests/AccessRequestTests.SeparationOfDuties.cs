using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.AccessRequests.CastVote;
using ReleaseGateway.Requests.Workflows;
using static ReleaseGateway.Requests.Tests.Fixtures;

namespace ReleaseGateway.Requests.Tests.AccessRequests;

/// <summary>Issue 15, row 1: one person holds one key of a request over its whole history, whatever roles they hold.</summary>
public sealed partial class AccessRequestTests
{
    private static AccessRequestAdvanced Advanced(string trigger, string from, string to, Actor by) => new(RequestId, trigger, from, to, "", by.Id, Now);

    /// <summary>A two-key request approved by members A and B, generated and evaluated: votes of that round are cleared by the moves since.</summary>
    private static object[] TwoKeyAwaitingSignOff() =>
    [
        Submitted(workflow: "two-key"), Accepted, Voted(MemberA), Voted(MemberB),
        new AccessRequestApproved(RequestId, "Approved", [MemberA.Id, MemberB.Id], MemberB.Id, Now),
        Advanced(WorkflowTriggers.StartGeneration, "Approved", "Generating", Pipeline),
        Advanced(WorkflowTriggers.CompleteGeneration, "Generating", "Evaluating", Pipeline),
        Advanced(WorkflowTriggers.PassGates, "Evaluating", "AwaitingSignOff", Pipeline),
    ];

    [Fact]
    public void Bug_MemberWhoVotedInAnEarlierState_WhenSigningOff_ThenRefusedAsTwoKeysNeedTwoPeople()
    {
        var r = Given(TwoKeyAwaitingSignOff());
        Assert.Empty(r.Votes); // the round is over: the old rule saw no voter
        var memberAndOfficer = Actor.Of(MemberA.Id, WorkflowRoles.CommitteeMember, WorkflowRoles.ComplianceOfficer);
        Assert.Equal(("RG1013", "AwaitingSignOff"), Refusal(() => WorkflowOf(r).Advance(WorkflowTriggers.SignOff, memberAndOfficer)) is var e ? (e.Code, e.CurrentState) : default);
        Assert.Equal("RG1013", Refusal(() => WorkflowOf(r).Advance(WorkflowTriggers.RefuseSignOff, memberAndOfficer)).Code);
        Assert.Equal("ReadyForRelease", WorkflowOf(r).Advance(WorkflowTriggers.SignOff, Officer).To);
    }

    [Fact]
    public void Bug_ComplianceOfficerRoleGrantedAfterTheVote_WhenSigningOff_ThenRefused()
    {
        var r = Given(TwoKeyAwaitingSignOff());
        var nowAnOfficerOnly = Actor.Of(MemberB.Id, WorkflowRoles.ComplianceOfficer);
        Assert.Equal("RG1013", Refusal(() => WorkflowOf(r).Advance(WorkflowTriggers.SignOff, nowAnOfficerOnly)).Code);
    }

    [Fact]
    public void Bug_OfficerWhoRefusedTheSignOff_WhenVotingOnTheRegeneration_ThenRefused()
    {
        var r = Given([.. TwoKeyAwaitingSignOff(), Advanced(WorkflowTriggers.RefuseSignOff, "AwaitingSignOff", "Blocked", Officer)]);
        var officerNowOnCommittee = Actor.Of(Officer.Id, WorkflowRoles.CommitteeMember);
        Assert.Equal("RG1013", Refusal(() => CastVoteDecider.Handle(r, new CastVote(r.Id, "reject", "no", officerNowOnCommittee, Now), DefinitionOf(r))).Code);
        // A member who voted in the first round votes again in the regeneration round: the same key.
        Assert.IsType<CommitteeVoteCast>(Assert.Single(Vote(r, MemberA)));
    }

    [Fact]
    public void Bug_StewardWhoScreened_WhenVotingLater_ThenRefused()
    {
        var stewardOnCommittee = Actor.Of(Steward.Id, WorkflowRoles.DataSteward, WorkflowRoles.CommitteeMember);
        Assert.Equal("RG1013", Refusal(() => Vote(InReview(), stewardOnCommittee)).Code);
        Assert.DoesNotContain(WorkflowTriggers.Approve, WorkflowOf(InReview()).PermittedTriggers(stewardOnCommittee));
    }

    [Fact]
    public void Bug_MemberWhoAskedForChangesInReview_WhenScreeningTheResubmission_ThenRefused()
    {
        var memberAndSteward = Actor.Of(MemberA.Id, WorkflowRoles.CommitteeMember, WorkflowRoles.DataSteward);
        var r = Given(Submitted(), Accepted, new AccessRequestChangesRequested(RequestId, "ChangesRequested", "narrow it", MemberA.Id, Now),
            new AccessRequestResubmitted(RequestId, "Screening", Terms(), Researcher.Id, Now));
        Assert.Equal("RG1013", Refusal(() => WorkflowOf(r).AcceptForReview(memberAndSteward)).Code);
        Assert.Equal("CommitteeReview", WorkflowOf(r).AcceptForReview(Steward).To);
    }
}
