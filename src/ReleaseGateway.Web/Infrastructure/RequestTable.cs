using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.AccessRequests.ListMyRequests;
using ReleaseGateway.Requests.Datasets;

namespace ReleaseGateway.Web.Infrastructure;

/// <summary>A list of requests as the pages show it, with the datasets' names.</summary>
public sealed record RequestTable(IReadOnlyList<AccessRequestSummary> Requests, IReadOnlyDictionary<Guid, string> DatasetNames, string Empty)
{
    public static async Task<RequestTable> ForAsync(IEventStore store, IReadOnlyList<AccessRequestSummary> requests, string empty, CancellationToken ct) =>
        new(requests, (await store.QueryAsync<DatasetDetails>(ct)).ToDictionary(d => d.Id, d => d.Name), empty);
}
