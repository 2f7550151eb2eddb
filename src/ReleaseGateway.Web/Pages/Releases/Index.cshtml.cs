using Microsoft.AspNetCore.Mvc;
using ReleaseGateway.EventStore;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;
using ReleaseGateway.Requests.Workflows;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages.Releases;

/// <summary>The release attempts the caller may see (a researcher: their own; staff: all), newest first, a page at a time.</summary>
public sealed class IndexModel(IEventStore store, PipelineProgress progress) : GatewayPageModel
{
    public Paged<ReleaseDetails> Releases { get; private set; } = null!;

    public Pager Pager { get; private set; } = null!;

    public IReadOnlyDictionary<Guid, string> Titles { get; private set; } = new Dictionary<Guid, string>();

    public PipelineProgress Progress => progress;

    public IReadOnlySet<string> Roles => Actor.Roles;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var actor = Actor;
        if (!actor.Roles.Overlaps(ReleaseRoles)) return Denied();
        var page = Math.Max(1, RequestTable.PageNumber(Request));
        Releases = Paged<ReleaseDetails>.Of(await ReleaseQueries.VisibleToAsync(store, actor, (page - 1) * Paging.Size, Paging.Size, ct), page);
        Pager = Releases.Pager(Request);
        var titles = new Dictionary<Guid, string>();
        foreach (var requestId in Releases.Items.Select(r => r.RequestId).Distinct())
            if (await store.LoadAsync<AccessRequestDetails>(requestId, ct) is { } request) titles[requestId] = request.Terms.Title;
        Titles = titles;
        return Page();
    }

    private static readonly HashSet<string> ReleaseRoles =
        [WorkflowRoles.Researcher, WorkflowRoles.CommitteeMember, WorkflowRoles.ComplianceOfficer, WorkflowRoles.DataSteward];
}
