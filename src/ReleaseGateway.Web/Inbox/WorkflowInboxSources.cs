using ReleaseGateway.EventStore;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Requests;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.Committees;
using ReleaseGateway.Requests.AccessRequests.ListMyRequests;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Web.Inbox;

/// <summary>Requests on which the person may act now, as the workflow says: vote, screen, sign off.</summary>
public sealed class DecisionsAwaited(IEventStore store, WorkflowCatalog workflows) : IInboxSource
{
    public async Task<IReadOnlyList<InboxItem>> ItemsAsync(Actor actor, CancellationToken ct)
    {
        var items = new List<InboxItem>();
        if (actor.IsIn(WorkflowRoles.CommitteeMember))
            items.AddRange((await AccessRequestQueries.AwaitingDecisionAsync(store, workflows, actor, ct))
                .Select(r => Item("vote", r, "awaits your vote", "Vote")));
        if (actor.IsIn(WorkflowRoles.DataSteward))
            items.AddRange((await AccessRequestQueries.AwaitingTriggerAsync(store, workflows, actor, WorkflowTriggers.AcceptForReview, ct))
                .Select(r => Item("screening", r, "awaits screening", "Screen")));
        if (actor.IsIn(WorkflowRoles.ComplianceOfficer))
            items.AddRange((await AccessRequestQueries.AwaitingTriggerAsync(store, workflows, actor, WorkflowTriggers.SignOff, ct))
                .Select(r => Item("sign-off", r, "awaits your sign-off", "Sign off")));
        return items;
    }

    private static InboxItem Item(string kind, AccessRequestSummary r, string text, string action) =>
        new(kind, r.Title, text, $"/ui/requests/{r.Id}", action, r.UpdatedAt);
}

/// <summary>A researcher's own requests that need them: sent back for changes, or with a release ready to download.</summary>
public sealed class ResearcherInbox(IEventStore store, WorkflowCatalog workflows, TimeProvider time) : IInboxSource
{
    public async Task<IReadOnlyList<InboxItem>> ItemsAsync(Actor actor, CancellationToken ct)
    {
        if (!actor.IsIn(WorkflowRoles.Researcher)) return [];
        var items = new List<InboxItem>();
        var mine = await store.QueryAsync<Requests.AccessRequests.GetAccessRequestDetails.AccessRequestDetails>(AccessRequestQueries.ByRequester, [actor.Id], ct);
        var roster = await CommitteeRoster.LoadAsync(store, ct);
        foreach (var request in mine)
        {
            if (!workflows.All.TryGetValue(request.Workflow, out var definition)) continue;
            if (new AccessRequestWorkflow(definition, request.ToRequest(), roster.For(request.CommitteeId)).PermittedTriggers(actor).Contains(WorkflowTriggers.Resubmit))
                items.Add(new("changes", request.Terms.Title, "was sent back: the committee asked for changes", $"/ui/requests/{request.Id}", "Revise",
                    request.UpdatedAt));
        }
        var now = time.GetUtcNow();
        var releases = await store.QueryAsync<ReleaseDetails>(ReleaseQueries.ByRequester, [actor.Id], ct);
        var titles = mine.ToDictionary(r => r.Id, r => r.Terms.Title);
        foreach (var release in releases.Where(r => r.RequesterId == actor.Id && r.IsAvailable(now)))
            items.Add(new("release", titles.GetValueOrDefault(release.RequestId, release.DatasetName),
                $"release ready to download until {Infrastructure.Display.Time(release.ExpiresAt!.Value)}", $"/ui/releases/{release.Id}", "Download",
                release.PublishedAt ?? release.StartedAt));
        return items;
    }
}
