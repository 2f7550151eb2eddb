using System.Security.Cryptography;
using System.Text;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Problems;
using ReleaseGateway.Requests.Committees;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Requests.AccessRequests;

/// <summary>Where a permitted trigger takes the request; <see cref="Moved"/> is false for a vote short of the quorum or a recorded conflict.</summary>
public sealed record WorkflowStep(string Trigger, string From, string To)
{
    public bool Moved => From != To;
}

/// <summary>
/// The lifecycle of one access request: the Stateless machine of its workflow definition, configured
/// once over the request's state as rebuilt from events. Triggers stay private; callers state intent
/// (<see cref="Vote"/>, <see cref="Withdraw"/>, ...) and get the step or a refusal naming the current
/// state. Deciding fires the machine on a scratch copy of the state; nothing else changes, so guards
/// stay pure and the decider that called it stays pure.
/// </summary>
public sealed class AccessRequestWorkflow : IWorkflowContext
{
    private readonly AccessRequest _request;
    private readonly WorkflowMachine _machine;
    private readonly RequestCommittee? _committee;
    private string _state;
    private Actor? _actor;

    /// <param name="committee">The committee that decides the request (<see cref="CommitteeRoster.For"/>); may be omitted for a
    /// request of the default committee, or where no committee act is asked about (a refusal says so otherwise).</param>
    public AccessRequestWorkflow(WorkflowDefinition definition, AccessRequest request, RequestCommittee? committee = null)
    {
        if (committee is not null && committee.Id != request.CommitteeId)
            throw new ArgumentException($"Request {request.Id} is decided by committee {request.CommitteeId?.ToString() ?? "default"}, not {committee.Name}.", nameof(committee));
        _request = request;
        _committee = committee ?? (request.CommitteeId is null ? RequestCommittee.Default : null);
        _state = request.State;
        _machine = new WorkflowMachine(definition.WithOptionalSteps(request.OptionalSteps), () => _state, s => _state = s, this);
    }

    public string CurrentState => _request.State;

    public bool CanAcceptForReview(Actor actor) => Can(WorkflowTriggers.AcceptForReview, actor);

    public bool CanVote(Actor actor) => Can(WorkflowTriggers.Approve, actor) || Can(WorkflowTriggers.Reject, actor);

    public bool CanWithdraw(Actor actor) => Can(WorkflowTriggers.Withdraw, actor);

    public WorkflowStep AcceptForReview(Actor actor) => Decide(WorkflowTriggers.AcceptForReview, actor);

    public WorkflowStep RequestChanges(Actor actor) => Decide(WorkflowTriggers.RequestChanges, actor);

    public WorkflowStep Resubmit(Actor actor) => Decide(WorkflowTriggers.Resubmit, actor);

    public WorkflowStep Withdraw(Actor actor) => Decide(WorkflowTriggers.Withdraw, actor);

    public WorkflowStep DeclareConflict(Actor actor) => Decide(WorkflowTriggers.DeclareConflict, actor);

    public WorkflowStep Vote(Actor actor, bool approve) => Decide(approve ? WorkflowTriggers.Approve : WorkflowTriggers.Reject, actor);

    /// <summary>For the release pipeline: a trigger after approval (start-generation, pass-gates, sign-off, publish, ...).</summary>
    public WorkflowStep Advance(string trigger, Actor actor)
    {
        if (!WorkflowTriggers.All.Contains(trigger) || WorkflowTriggers.Votes.Contains(trigger) || WorkflowTriggers.Internal.Contains(trigger))
            throw new ArgumentException($"'{trigger}' is not a pipeline trigger.", nameof(trigger));
        return Decide(trigger, actor);
    }

    /// <summary>What <paramref name="actor"/> could do now (guards included): drives the UI and the "awaiting my decision" list.</summary>
    public IReadOnlyList<string> PermittedTriggers(Actor actor)
    {
        _actor = actor;
        try
        {
            return _machine.PermittedTriggers();
        }
        finally
        {
            _actor = null;
        }
    }

    private bool Can(string trigger, Actor actor)
    {
        _actor = actor;
        try
        {
            return _machine.CanFire(trigger, out _);
        }
        finally
        {
            _actor = null;
        }
    }

    private WorkflowStep Decide(string trigger, Actor actor)
    {
        _actor = actor;
        _state = _request.State;
        try
        {
            if (!_machine.CanFire(trigger, out var refusal)) throw new RequestRefusedException(Explain(refusal!));
            _machine.Fire(trigger);
            return new WorkflowStep(trigger, _request.State, _state);
        }
        finally
        {
            _actor = null;
            _state = _request.State;
        }
    }

    private RequestError Explain(WorkflowRefusal refusal) => refusal.Kind switch
    {
        WorkflowRefusalKind.MissingRole => RequestErrors.MissingRole(refusal.Trigger, refusal.Guard ?? "", refusal.CurrentState),
        WorkflowRefusalKind.GuardFailed when refusal.Guard == WorkflowGuards.Requester =>
            RequestErrors.NotRequester(refusal.Trigger, refusal.CurrentState),
        WorkflowRefusalKind.GuardFailed when refusal.Guard == WorkflowGuards.SeparationOfDuties &&
            CheckDuties(refusal.Trigger) is { IsAllowed: false, ErrorCode: { } code } decision =>
            RequestErrors.SeparationOfDuties(code, ErrorCodes.Get(code).Status, decision.Reason ?? ErrorCodes.Get(code).Title, refusal.CurrentState),
        _ => RequestErrors.NotPermittedInState(refusal.Trigger, refusal.CurrentState),
    };

    /// <summary>A committee role counts only for a member of the request's committee: votes and recusals are per committee.</summary>
    bool IWorkflowContext.ActorHasAnyRole(IReadOnlyList<string> roles) =>
        _actor is { } a && roles.Any(r => a.IsIn(r) && (r != WorkflowRoles.CommitteeMember || Committee.Includes(a)));

    private RequestCommittee Committee => _committee ??
        throw new InvalidOperationException($"Request {_request.Id} is decided by committee {_request.CommitteeId}: pass it to the workflow.");

    bool IWorkflowContext.GuardHolds(string guard, string trigger) => guard switch
    {
        WorkflowGuards.Requester => _actor?.Id == _request.RequesterId,
        WorkflowGuards.SeparationOfDuties => CheckDuties(trigger).IsAllowed,
        _ => false,
    };

    bool IWorkflowContext.VoteDecides(string vote, QuorumRule quorum)
    {
        var (approvals, rejections) = Committee.Thresholds(quorum, _machine.Definition.CommitteeSeats, _request.Recused.Count);
        return vote == WorkflowTriggers.Approve
            ? _request.Count(WorkflowTriggers.Approve) + 1 >= approvals
            : _request.Count(WorkflowTriggers.Reject) + 1 >= rejections;
    }

    private DutyDecision CheckDuties(string trigger)
    {
        if (_actor is null || DutyOf(trigger, _request.State) is not { } duty) return new DutyDecision(false, null, null);
        var keysTaken = _request.Acts
            .Select(a => (Actor: ActorGuid(a.ActorId), Duty: DutyOf(a.Trigger, a.FromState)))
            .Where(a => a.Duty is not null)
            .GroupBy(a => a.Actor)
            .ToDictionary(g => g.Key, g => (IReadOnlySet<Duty>)g.Select(a => a.Duty!.Value).ToHashSet());
        var participants = new DutyParticipants(
            ActorGuid(_request.RequesterId),
            _request.Votes.Keys.Select(ActorGuid).ToHashSet(),
            _request.Recused.Select(ActorGuid).ToHashSet(),
            keysTaken);
        return SeparationOfDuties.Check(ActorGuid(_actor.Id), duty, participants);
    }

    /// <summary>
    /// The key a trigger takes, the same for the act being decided and for every act in the request's history: asking for
    /// changes is screening before review and a committee act in a voting state. Pipeline steps and the requester's own
    /// triggers take no key (the requester is excluded from every key by the rule itself).
    /// </summary>
    private Duty? DutyOf(string trigger, string fromState) => trigger switch
    {
        WorkflowTriggers.AcceptForReview => Duty.Screen,
        WorkflowTriggers.RequestChanges => _machine.Definition.States.Any(s => s.Name == fromState && s.Quorum is not null) ? Duty.Vote : Duty.Screen,
        WorkflowTriggers.Approve or WorkflowTriggers.Reject or WorkflowTriggers.DeclareConflict => Duty.Vote,
        WorkflowTriggers.SignOff or WorkflowTriggers.RefuseSignOff => Duty.SignOff,
        WorkflowTriggers.Publish => Duty.Release,
        _ => null,
    };

    /// <summary>
    /// The identity rule compares Guids. User ids are Guids; a service client's id is mapped to a stable
    /// Guid so that equal ids still compare equal.
    /// </summary>
    private static Guid ActorGuid(string id) =>
        Guid.TryParse(id, out var g) ? g : new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(id)).AsSpan(0, 16));
}
