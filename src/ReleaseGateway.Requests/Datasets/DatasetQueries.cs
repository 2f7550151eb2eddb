using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.Datasets.GetDataset;
using ReleaseGateway.Requests.Policies;

namespace ReleaseGateway.Requests.Datasets;

/// <summary>Datasets as everyone may read them (description, schema, releasable columns, policy limits; never the data).</summary>
public static class DatasetQueries
{
    public static async Task<IReadOnlyList<DatasetView>> ListAsync(IEventStore store, PolicyCatalog policies, CancellationToken ct) =>
        (await store.QueryAsync<DatasetDetails>(ct)).OrderBy(d => d.Name, StringComparer.Ordinal)
            .Select(d => new DatasetView(d, DatasetPolicyView.Of(policies.For(d.Name)))).ToList();

    public static async Task<DatasetView> GetAsync(IEventStore store, PolicyCatalog policies, Guid id, CancellationToken ct)
    {
        var d = await store.LoadAsync<DatasetDetails>(id, ct) ?? throw new RequestRefusedException(RequestErrors.DatasetNotFound(id.ToString()));
        return new DatasetView(d, DatasetPolicyView.Of(policies.For(d.Name)));
    }
}
