using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.Committees;
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
    // Indexes of AccessRequestDetails (docs/web.md, "Performance"): lists read the requests they show, not every request.
    public const string ByRequester = "requester";
    public const string ByDataset = "dataset";
    public const string ByState = "state";

    public static void Index(DocumentIndexes indexes) => indexes
        .Add<AccessRequestDetails>(ByRequester, d => d.RequesterId)
        .Add<AccessRequestDetails>(ByDataset, d => d.DatasetId.ToString())
        .Add<AccessRequestDetails>(ByState, d => d.State);

    /// <summary>The actor's own requests, newest first.</summary>
    public static async Task<IReadOnlyList<AccessRequestSummary>> MineAsync(IEventStore store, Actor actor, CancellationToken ct)
    {
        var mine = await store.QueryAsync<AccessRequestDetails>(ByRequester, [actor.Id], ct);
        return mine.OrderByDescending(d => d.SubmittedAt).Select(AccessRequestSummary.Of).ToList();
    }

    /// <summary>The requests made on a dataset, in no particular order.</summary>
    public static Task<IReadOnlyList<AccessRequestDetails>> OfDatasetAsync(IEventStore store, Guid datasetId, CancellationToken ct) =>
        store.QueryAsync<AccessRequestDetails>(ByDataset, [datasetId.ToString()], ct);

    /// <summary>The requests in any of <paramref name="states"/>, in no particular order.</summary>
    public static Task<IReadOnlyList<AccessRequestDetails>> InStatesAsync(IEventStore store, IReadOnlyCollection<string> states, CancellationToken ct) =>
        store.QueryAsync<AccessRequestDetails>(ByState, states, ct);

    /// <summary>
    /// The requests a committee member may review, open or decided, in any of <paramref name="states"/> (every state when
    /// null), most recently changed first. The committees' rule (<see cref="MaySee(Actor, AccessRequestDetails, CommitteeRoster)"/>)
    /// decides, as for every other list.
    /// </summary>
    public static async Task<IReadOnlyList<AccessRequestDetails>> ForCommitteeMemberAsync(IEventStore store, Actor actor,
        IReadOnlyCollection<string>? states, CancellationToken ct)
    {
        if (!actor.IsIn(WorkflowRoles.CommitteeMember)) return [];
        var roster = await CommitteeRoster.LoadAsync(store, ct);
        var requests = states is null ? await store.QueryAsync<AccessRequestDetails>(ct) : await InStatesAsync(store, states, ct);
        return requests.Where(d => MaySee(actor, d, roster)).OrderByDescending(d => d.UpdatedAt).ToList();
    }

    /// <summary>Requests the committee member can vote on now (their committees' only; not own, not yet voted, not recused), oldest first.</summary>
    public static async Task<IReadOnlyList<AccessRequestSummary>> AwaitingDecisionAsync(IEventStore store, WorkflowCatalog workflows, Actor actor, CancellationToken ct)
    {
        var roster = await CommitteeRoster.LoadAsync(store, ct);
        var voting = workflows.All.Values.SelectMany(w => w.States).Where(s => s.Quorum is not null).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        return (await InStatesAsync(store, voting, ct))
            .Where(d => workflows.All.TryGetValue(d.Workflow, out var w) && w.State(d.State).Quorum is not null)
            .Where(d => MaySee(actor, d, roster))
            .Where(d => new AccessRequestWorkflow(workflows.Get(d.Workflow), d.ToRequest(), roster.For(d.CommitteeId)).CanVote(actor))
            .OrderBy(d => d.UpdatedAt).Select(AccessRequestSummary.Of).ToList();
    }

    /// <summary>Requests on which the actor may fire <paramref name="trigger"/> now (guards included), oldest first.</summary>
    public static async Task<IReadOnlyList<AccessRequestSummary>> AwaitingTriggerAsync(IEventStore store, WorkflowCatalog workflows, Actor actor, string trigger,
        CancellationToken ct)
    {
        var roster = await CommitteeRoster.LoadAsync(store, ct);
        var from = workflows.All.Values.SelectMany(w => w.Transitions).Where(t => t.Trigger == trigger).SelectMany(t => t.From)
            .ToHashSet(StringComparer.Ordinal);
        return (await InStatesAsync(store, from, ct))
            .Where(d => workflows.All.TryGetValue(d.Workflow, out var w) && w.TransitionsFrom(d.State).Any(t => t.Trigger == trigger))
            .Where(d => MaySee(actor, d, roster))
            .Where(d => new AccessRequestWorkflow(workflows.Get(d.Workflow), d.ToRequest(), roster.For(d.CommitteeId)).PermittedTriggers(actor).Contains(trigger))
            .OrderBy(d => d.UpdatedAt).Select(AccessRequestSummary.Of).ToList();
    }

    /// <summary>
    /// The request as <paramref name="actor"/> may see it; <see cref="RequestRefusedException"/> (not found) when it does
    /// not exist or the actor may not see it, so its existence is not revealed.
    /// </summary>
    public static async Task<AccessRequestDetails> DetailsForAsync(IEventStore store, Actor actor, Guid id, CancellationToken ct)
    {
        var details = await store.LoadAsync<AccessRequestDetails>(id, ct);
        if (details is null || !MaySee(actor, details, await CommitteeRoster.LoadAsync(store, ct))) throw new RequestRefusedException(RequestErrors.RequestNotFound(id));
        return SeesCommittee(actor) ? details : ForRequester(details);
    }

    /// <summary>The other requests of the same researcher, newest first: context for the committee (committee, steward and compliance only).</summary>
    public static async Task<IReadOnlyList<AccessRequestSummary>> EarlierRequestsOfRequesterAsync(IEventStore store, Actor actor, AccessRequestDetails request,
        CancellationToken ct)
    {
        if (!SeesCommittee(actor)) return [];
        var theirs = await store.QueryAsync<AccessRequestDetails>(ByRequester, [request.RequesterId], ct);
        var roster = await CommitteeRoster.LoadAsync(store, ct);
        return theirs.Where(d => d.Id != request.Id && MaySee(actor, d, roster))
            .OrderByDescending(d => d.SubmittedAt).Select(AccessRequestSummary.Of).ToList();
    }

    public static bool MaySee(Actor actor, AccessRequestDetails details, CommitteeRoster roster) =>
        MaySee(actor, details.RequesterId, details.CommitteeId, roster);

    /// <summary>
    /// The requester and the staff who decide (compliance, stewards, and the members of the committee that decides it,
    /// <see cref="CommitteeRoster.MaySeeAsStaff"/>); everyone else gets 404 on every verb.
    /// </summary>
    public static bool MaySee(Actor actor, string requesterId, Guid? committeeId, CommitteeRoster roster) =>
        actor.Id == requesterId || roster.MaySeeAsStaff(actor, committeeId);

    /// <summary>Committee members, stewards and compliance officers see who voted how; a researcher sees only the decisions.</summary>
    public static bool SeesCommittee(Actor actor) =>
        actor.IsIn(WorkflowRoles.CommitteeMember) || actor.IsIn(WorkflowRoles.ComplianceOfficer) || actor.IsIn(WorkflowRoles.DataSteward);

    /// <summary>
    /// The requester sees every decision and its reasons but not who took it: committee members decide independently of
    /// the applicant, so every step by someone else is labelled with the role it was taken in ("committee", "data steward",
    /// "compliance officer", "gateway"), never with a person's id (issue 15, row 8).
    /// </summary>
    private static AccessRequestDetails ForRequester(AccessRequestDetails d) => d with
    {
        CurrentVotes = new Dictionary<string, string>(),
        Recused = [],
        Acts = [],
        Timeline = d.Timeline.Select(e => e.By == d.RequesterId ? e : e with { By = RoleLabel(e), ByRole = null }).ToList(),
    };

    private static string RoleLabel(TimelineEntry e) => e.Event switch
    {
        nameof(CommitteeVoteCast) or nameof(ConflictOfInterestDeclared) or nameof(AccessRequestApproved) or nameof(AccessRequestRejected) => "committee",
        _ => RoleWord(e.ByRole),
    };

    /// <summary>The words shown to a researcher instead of a staff member's id: the role the step was taken in.</summary>
    public static string RoleWord(string? role) => role switch
    {
        WorkflowRoles.CommitteeMember => "committee",
        WorkflowRoles.DataSteward => "data steward",
        WorkflowRoles.ComplianceOfficer => "compliance officer",
        WorkflowRoles.System => "gateway",
        _ => "staff",
    };
}
