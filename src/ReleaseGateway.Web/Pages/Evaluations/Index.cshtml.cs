using Microsoft.AspNetCore.Mvc;
using ReleaseGateway.EventStore;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages.Evaluations;

/// <summary>Every evaluated release attempt, newest first, with its verdict and failed gates; each links to its full report.</summary>
public sealed class IndexModel(IEventStore store) : GatewayPageModel
{
    public Paged<ReleaseDetails> Releases { get; private set; } = null!;

    public Pager Pager { get; private set; } = null!;

    public IReadOnlyDictionary<Guid, string> Titles { get; private set; } = new Dictionary<Guid, string>();

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var actor = Actor;
        if (!ReleaseBoundary.IsInside(actor.Roles)) return Denied();
        var page = Math.Max(1, RequestTable.PageNumber(Request));
        Releases = Paged<ReleaseDetails>.Of(
            await ReleaseQueries.VisibleToAsync(store, actor, (page - 1) * Paging.Size, Paging.Size, ct, evaluatedOnly: true), page);
        Pager = Releases.Pager(Request);
        var titles = new Dictionary<Guid, string>();
        foreach (var requestId in Releases.Items.Select(r => r.RequestId).Distinct())
            if (await store.LoadAsync<AccessRequestDetails>(requestId, ct) is { } request) titles[requestId] = request.Terms.Title;
        Titles = titles;
        return Page();
    }
}
