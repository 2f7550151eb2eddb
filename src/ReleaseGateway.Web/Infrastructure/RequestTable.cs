using Microsoft.AspNetCore.Http;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Requests.AccessRequests.ListMyRequests;
using ReleaseGateway.Requests.Datasets;

namespace ReleaseGateway.Web.Infrastructure;

/// <summary>
/// A page of requests as the pages show it, with the datasets' names and, where the page shows it, where each
/// request's latest release attempt is in the pipeline.
/// </summary>
public sealed record RequestTable(Paged<AccessRequestSummary> Requests, Pager Pager, IReadOnlyDictionary<Guid, string> DatasetNames, string Empty,
    IReadOnlyDictionary<Guid, LatestAttempt>? LatestAttempts = null)
{
    public static async Task<RequestTable> ForAsync(IEventStore store, HttpRequest request, IReadOnlyList<AccessRequestSummary> requests, string empty,
        CancellationToken ct, PipelineProgress? progress = null)
    {
        var page = Paged<AccessRequestSummary>.Of(requests, PageNumber(request));
        IReadOnlyDictionary<Guid, LatestAttempt>? latest = null;
        if (progress is not null)
            latest = (await ReleaseQueries.LatestOfRequestsAsync(store, page.Items.Select(r => r.Id).ToHashSet(), ct))
                .ToDictionary(p => p.Key, p => new LatestAttempt(p.Value.Id, p.Value.Attempt, AttemptProgress.Of(p.Value, progress.Get(p.Value.Id), request.HttpContext.GetActor().Roles)));
        return new RequestTable(page, page.Pager(request), (await store.QueryAsync<DatasetDetails>(ct)).ToDictionary(d => d.Id, d => d.Name), empty, latest);
    }

    public static int PageNumber(HttpRequest request) =>
        int.TryParse(request.Query["page"], System.Globalization.CultureInfo.InvariantCulture, out var page) ? page : 1;
}

/// <summary>A request's latest release attempt and where it is.</summary>
public sealed record LatestAttempt(Guid ReleaseId, int Attempt, AttemptProgress Progress);
