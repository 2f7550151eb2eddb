using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.AccessRequests.AdvanceAccessRequest;
using ReleaseGateway.Requests.Workflows;
using static ReleaseGateway.Requests.Tests.Fixtures;

namespace ReleaseGateway.Requests.Tests.AccessRequests;

public sealed partial class AccessRequestTests
{
    /// <summary>Every (workflow, state, trigger) the definition does not allow: all must be refused with 409 and the state.</summary>
    public static TheoryData<string, string, string> IllegalTransitions()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var definition in ShippedWorkflows.All.Values.OrderBy(d => d.Name))
            foreach (var state in definition.States)
                foreach (var trigger in WorkflowTriggers.All.Order())
                    if (!definition.TransitionsFrom(state.Name).Any(t => t.Trigger == trigger))
                        data.Add(definition.Name, state.Name, trigger);
        return data;
    }

    [Theory]
    [MemberData(nameof(IllegalTransitions))]
    public void Given_RequestInState_When_TriggerNotDefinedThere_Then_RefusedWithCurrentStateAndNothingDecided(string workflow, string state, string trigger)
    {
        var request = Given(Submitted(state, workflow));
        var anyone = Actor.Of(OtherResearcher.Id, [.. WorkflowRoles.All]);
        var workflowOf = WorkflowOf(request);
        Func<WorkflowStep> attempt = trigger switch
        {
            WorkflowTriggers.Approve => () => workflowOf.Vote(anyone, approve: true),
            WorkflowTriggers.Reject => () => workflowOf.Vote(anyone, approve: false),
            WorkflowTriggers.DeclareConflict => () => workflowOf.DeclareConflict(anyone),
            WorkflowTriggers.AcceptForReview => () => workflowOf.AcceptForReview(anyone),
            WorkflowTriggers.RequestChanges => () => workflowOf.RequestChanges(anyone),
            WorkflowTriggers.Resubmit => () => workflowOf.Resubmit(anyone),
            WorkflowTriggers.Withdraw => () => workflowOf.Withdraw(anyone),
            _ => () => workflowOf.Advance(trigger, anyone),
        };
        var error = Refusal(() => attempt());
        Assert.Equal(("RG2001", 409, state), (error.Code, error.Status, error.CurrentState));
        Assert.Equal(state, request.State);
    }

    [Fact]
    public void Given_ApprovedStandardRequest_When_PipelineRunsToTheEnd_Then_ReleasedWithoutSignOff()
    {
        var history = new List<object> { Submitted("Approved") };
        foreach (var (trigger, expected) in new[]
                 {
                     ("start-generation", "Generating"), ("complete-generation", "Evaluating"), ("pass-gates", "ReadyForRelease"),
                     ("publish", "Released"), ("expire", "Expired"),
                 })
        {
            var r = Given([.. history]);
            var e = AdvanceAccessRequestDecider.Handle(r, new AdvanceAccessRequest(r.Id, trigger, "", Pipeline, Now), DefinitionOf(r));
            Assert.Equal(expected, e.State);
            history.Add(e);
        }
    }

    [Fact]
    public void Given_TwoKeyRequestPassedGates_When_ComplianceOfficerSignsOff_Then_ReadyForRelease()
    {
        var r = Given(Submitted("Evaluating", "two-key"));
        var passed = AdvanceAccessRequestDecider.Handle(r, new AdvanceAccessRequest(r.Id, "pass-gates", "", Pipeline, Now), DefinitionOf(r));
        Assert.Equal("AwaitingSignOff", passed.State);
        var awaiting = Given(Submitted("Evaluating", "two-key"), passed);
        Assert.Equal(("RG2001", "AwaitingSignOff"), (Refusal(() => WorkflowOf(awaiting).Advance("publish", Pipeline)) is var x ? (x.Code, x.CurrentState) : default));
        var signed = AdvanceAccessRequestDecider.Handle(awaiting, new AdvanceAccessRequest(r.Id, "sign-off", "report read", Officer, Now), DefinitionOf(awaiting));
        Assert.Equal(("AwaitingSignOff", "ReadyForRelease"), (signed.FromState, signed.State));
    }

    [Theory]
    [InlineData(new string[0], "ReadyForRelease")]
    [InlineData(new[] { "AwaitingSignOff" }, "AwaitingSignOff")]
    public void Given_StandardRequest_When_GatesPass_Then_TheOptionalSignOffAppliesOnlyWhenSwitchedOn(string[] optionalSteps, string expected)
    {
        var r = Given(Submitted("Evaluating", "standard", optionalSteps));
        var e = AdvanceAccessRequestDecider.Handle(r, new AdvanceAccessRequest(r.Id, "pass-gates", "", Pipeline, Now), DefinitionOf(r));
        Assert.Equal(expected, e.State);
    }

    [Fact]
    public void Given_OptionalSignOffSwitchedOn_When_OfficerSignsOff_Then_ReadyForRelease()
    {
        var r = Given(Submitted("AwaitingSignOff", "standard", "AwaitingSignOff"));
        Assert.Equal("ReadyForRelease", WorkflowOf(r).Advance(WorkflowTriggers.SignOff, Officer).To);
    }

    [Fact]
    public void Given_StandardRequest_When_SignOffAttempted_Then_RefusedBecauseTheStepDoesNotExist() =>
        Assert.Equal("RG2001", Refusal(() => WorkflowOf(Given(Submitted("Evaluating"))).Advance(WorkflowTriggers.SignOff, Officer)).Code);

    [Fact]
    public void Given_Evaluating_When_ResearcherFiresPipelineTrigger_Then_RefusedForRole() =>
        Assert.Equal("RG2002", Refusal(() => WorkflowOf(Given(Submitted("Evaluating"))).Advance(WorkflowTriggers.PassGates, Researcher)).Code);

    [Fact]
    public void Given_Blocked_When_TwoMembersApproveRegeneration_Then_ApprovedAgain()
    {
        var r = Given(Submitted("Blocked"), Voted(MemberA));
        var events = Vote(r, MemberB);
        Assert.Equal("Approved", Assert.IsType<AccessRequestApproved>(events[^1]).State);
    }

    private const string MajorityOfFour = """
        name: majority
        initial: CommitteeReview
        committee:
          seats: 4
        states:
          CommitteeReview:
            quorum: majority
          Approved:
            terminal: true
          Rejected:
            terminal: true
        transitions:
          - trigger: approve
            from: CommitteeReview
            to: Approved
            roles: CommitteeMember
            guards: separation-of-duties
          - trigger: reject
            from: CommitteeReview
            to: Rejected
            roles: CommitteeMember
            guards: separation-of-duties
          - trigger: declare-conflict
            from: CommitteeReview
            roles: CommitteeMember
            guards: separation-of-duties
        """;

    [Theory]
    [InlineData(false, "CommitteeReview")]
    [InlineData(true, "Approved")]
    public void Given_MajorityOfFour_When_SecondApprovalArrives_Then_ItDecidesOnlyIfAMemberIsRecused(bool oneRecused, string expected)
    {
        var majority = WorkflowDefinitionLoader.Parse(MajorityOfFour, "workflows/majority.yaml");
        var events = new List<object> { Submitted("CommitteeReview", "majority"), Voted(MemberA) };
        if (oneRecused) events.Add(new ConflictOfInterestDeclared(RequestId, MemberC.Id, Now));
        var step = new AccessRequestWorkflow(majority, Given([.. events])).Vote(MemberB, approve: true);
        Assert.Equal(expected, step.To);
    }

    [Fact]
    public void Given_CommitteeReview_When_MemberAsksWhatHeMayDo_Then_VotesConflictAndChangesAreOffered() =>
        Assert.Equal(["approve", "declare-conflict", "reject", "request-changes"], WorkflowOf(InReview()).PermittedTriggers(MemberA));
}
