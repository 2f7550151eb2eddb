using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.AccessRequests;

namespace ReleaseGateway.Requests.Datasets;

/// <summary>
/// The event streams that belong to a dataset, for the audit trail's dataset filter. Each module that keeps
/// streams about a dataset registers its own contribution (the release pipeline: the budget ledger and the releases).
/// </summary>
public interface IDatasetStreams
{
    Task<IReadOnlyCollection<Guid>> OfDatasetAsync(Guid datasetId, CancellationToken ct);
}

/// <summary>The dataset's own stream and the streams of every access request made on it.</summary>
internal sealed class RequestStreamsOfDataset(IEventStore store) : IDatasetStreams
{
    public async Task<IReadOnlyCollection<Guid>> OfDatasetAsync(Guid datasetId, CancellationToken ct) =>
        [datasetId, .. (await AccessRequestQueries.OfDatasetAsync(store, datasetId, ct)).Select(r => r.Id)];
}
