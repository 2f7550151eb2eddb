using System.Collections.Immutable;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Requests.AccessRequests;

/// <summary>
/// The write-side state of one access request, rebuilt from its events. <see cref="Votes"/> hold the
/// current voting round only: they are cleared whenever the request changes state, so a request sent
/// back for changes is voted on afresh. A declared conflict of interest recuses for the request's life.
/// <see cref="ProposedTerms"/> are the regeneration parameters the current round's approving votes carry.
/// <see cref="Acts"/> keep every act a person took on the request, in every round, for separation of duties.
/// </summary>
public sealed record AccessRequest(
    Guid Id,
    Guid DatasetId,
    string Workflow,
    IReadOnlyList<string> OptionalSteps,
    string RequesterId,
    string State,
    AccessRequestTerms Terms,
    ImmutableDictionary<string, string> Votes,
    ImmutableHashSet<string> Recused,
    long Version,
    AccessRequestTerms? ProposedTerms = null)
{
    /// <summary>The committee that decides the request (null: the default committee); fixed at submission.</summary>
    public Guid? CommitteeId { get; init; }

    /// <summary>The policy the request was submitted under (ADR 0057); null for requests from before it was recorded.</summary>
    public string? Policy { get; init; }

    /// <summary>Every act so far (screening, votes, recusals, sign-offs, pipeline steps), oldest first; never cleared.</summary>
    public ImmutableList<RequestAct> Acts { get; init; } = [];

    public static AccessRequest? Rebuild(IEnumerable<object> events)
    {
        AccessRequest? state = null;
        foreach (var e in events) state = Evolve(state, e);
        return state;
    }

    public static AccessRequest? Evolve(AccessRequest? state, object @event)
    {
        if (@event is AccessRequestSubmitted s)
            return new AccessRequest(s.RequestId, s.DatasetId, s.Workflow, s.OptionalSteps ?? [], s.SubmittedBy, s.State, s.Terms,
                ImmutableDictionary<string, string>.Empty, ImmutableHashSet<string>.Empty, 1) { CommitteeId = s.CommitteeId, Policy = s.Policy };
        if (state is null) return null;
        var next = @event switch
        {
            AccessRequestAcceptedForReview e => state.Did(e.AcceptedBy, WorkflowTriggers.AcceptForReview).MoveTo(e.State),
            AccessRequestChangesRequested e => state.Did(e.RequestedBy, WorkflowTriggers.RequestChanges).MoveTo(e.State),
            AccessRequestResubmitted e => state.MoveTo(e.State) with { Terms = e.Terms },
            AccessRequestWithdrawn e => state.MoveTo(e.State),
            CommitteeVoteCast e => state.Did(e.VotedBy, e.Decision) with
            {
                Votes = state.Votes.SetItem(e.VotedBy, e.Decision),
                ProposedTerms = e.Decision == "approve" ? e.Terms ?? state.ProposedTerms : state.ProposedTerms,
            },
            ConflictOfInterestDeclared e => state.Did(e.DeclaredBy, WorkflowTriggers.DeclareConflict) with { Recused = state.Recused.Add(e.DeclaredBy) },
            AccessRequestApproved e => state.MoveTo(e.State) with { Terms = e.Terms ?? state.Terms },
            AccessRequestRejected e => state.MoveTo(e.State),
            AccessRequestAdvanced e => state.Did(e.AdvancedBy, e.Trigger).MoveTo(e.State),
            _ => state,
        };
        return next with { Version = state.Version + 1 };
    }

    public int Count(string decision) => Votes.Values.Count(v => v == decision);

    private AccessRequest Did(string actorId, string trigger) => this with { Acts = Acts.Add(new RequestAct(actorId, trigger, State)) };

    private AccessRequest MoveTo(string newState) =>
        newState == State ? this : this with { State = newState, Votes = ImmutableDictionary<string, string>.Empty, ProposedTerms = null };
}

/// <summary>One act on a request: who fired which trigger, from which state (the state tells a screening request for changes from a committee one).</summary>
public sealed record RequestAct(string ActorId, string Trigger, string FromState);
