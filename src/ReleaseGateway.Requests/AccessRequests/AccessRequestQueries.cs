using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;
using ReleaseGateway.Requests.AccessRequests.ListMyRequests;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Requests.AccessRequests;

/// <summary>
/// The access-request read side as the HTTP endpoints and the web pages both serve it: who may see a request,
/// and what each reader sees of it.
/// </summary>
public static class AccessRequestQueries
{
    /// <summary>The actor's own requests, newest first.</summary>
    public static async Task<IReadOnlyList<AccessRequestSummary>> MineAsync(IEventStore store, Actor actor, CancellationToken ct)
    {
        var all = await store.QueryAsync<AccessRequestDetails>(ct);
        return all.Where(d => d.RequesterId == actor.Id).OrderByDescending(d => d.SubmittedAt).Select(AccessRequestSummary.Of).ToList();
    }

    /// <summary>Requests the committee member can vote on now (not own, not yet voted, not recused), oldest first.</summary>
    public static async Task<IReadOnlyList<AccessRequestSummary>> AwaitingDecisionAsync(IEventStore store, WorkflowCatalog workflows, Actor actor, CancellationToken ct)
    {
        var all = await store.QueryAsync<AccessRequestDetails>(ct);
        return all
            .Where(d => workflows.All.TryGetValue(d.Workflow, out var w) && w.State(d.State).Quorum is not null)
            .Where(d => new AccessRequestWorkflow(workflows.Get(d.Workflow), d.ToRequest()).CanVote(actor))
            .OrderBy(d => d.UpdatedAt).Select(AccessRequestSummary.Of).ToList();
    }

    /// <summary>Requests on which the actor may fire <paramref name="trigger"/> now (guards included), oldest first.</summary>
    public static async Task<IReadOnlyList<AccessRequestSummary>> AwaitingTriggerAsync(IEventStore store, WorkflowCatalog workflows, Actor actor, string trigger,
        CancellationToken ct)
    {
        var all = await store.QueryAsync<AccessRequestDetails>(ct);
        return all
            .Where(d => workflows.All.TryGetValue(d.Workflow, out var w) && w.TransitionsFrom(d.State).Any(t => t.Trigger == trigger))
            .Where(d => new AccessRequestWorkflow(workflows.Get(d.Workflow), d.ToRequest()).PermittedTriggers(actor).Contains(trigger))
            .OrderBy(d => d.UpdatedAt).Select(AccessRequestSummary.Of).ToList();
    }

    /// <summary>
    /// The request as <paramref name="actor"/> may see it; <see cref="RequestRefusedException"/> (not found) when it does
    /// not exist or the actor may not see it, so its existence is not revealed.
    /// </summary>
    public static async Task<AccessRequestDetails> DetailsForAsync(IEventStore store, Actor actor, Guid id, CancellationToken ct)
    {
        var details = await store.LoadAsync<AccessRequestDetails>(id, ct);
        if (details is null || !MaySee(actor, details)) throw new RequestRefusedException(RequestErrors.RequestNotFound(id));
        return SeesCommittee(actor) ? details : ForRequester(details);
    }

    /// <summary>The other requests of the same researcher, newest first: context for the committee (committee, steward and compliance only).</summary>
    public static async Task<IReadOnlyList<AccessRequestSummary>> EarlierRequestsOfRequesterAsync(IEventStore store, Actor actor, AccessRequestDetails request,
        CancellationToken ct)
    {
        if (!SeesCommittee(actor)) return [];
        var all = await store.QueryAsync<AccessRequestDetails>(ct);
        return all.Where(d => d.RequesterId == request.RequesterId && d.Id != request.Id)
            .OrderByDescending(d => d.SubmittedAt).Select(AccessRequestSummary.Of).ToList();
    }

    public static bool MaySee(Actor actor, AccessRequestDetails details) =>
        actor.Id == details.RequesterId || actor.IsIn(WorkflowRoles.CommitteeMember) || actor.IsIn(WorkflowRoles.ComplianceOfficer) ||
        actor.IsIn(WorkflowRoles.DataSteward);

    /// <summary>Committee members, stewards and compliance officers see who voted how; a researcher sees only the decisions.</summary>
    public static bool SeesCommittee(Actor actor) =>
        actor.IsIn(WorkflowRoles.CommitteeMember) || actor.IsIn(WorkflowRoles.ComplianceOfficer) || actor.IsIn(WorkflowRoles.DataSteward);

    /// <summary>
    /// The requester sees every decision and its reasons but not which member voted how or declared a
    /// conflict: committee members decide independently of the applicant.
    /// </summary>
    private static AccessRequestDetails ForRequester(AccessRequestDetails d) => d with
    {
        CurrentVotes = new Dictionary<string, string>(),
        Recused = [],
        Timeline = d.Timeline.Select(e => e.Event is nameof(CommitteeVoteCast) or nameof(ConflictOfInterestDeclared) or nameof(AccessRequestApproved)
            or nameof(AccessRequestRejected) ? e with { By = "committee" } : e).ToList(),
    };
}
