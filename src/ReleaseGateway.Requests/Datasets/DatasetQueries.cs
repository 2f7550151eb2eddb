using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.Datasets.GetDataset;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Requests.Datasets;

/// <summary>
/// Datasets as their readers may see them (description, schema, releasable columns, policy limits; never the data). The
/// source table's exact row count and SHA-256 are statistics of the real data: only data stewards and compliance officers
/// see them (docs/privacy.md); everyone else sees that a source table was uploaded.
/// </summary>
public static class DatasetQueries
{
    public static async Task<IReadOnlyList<DatasetView>> ListAsync(IEventStore store, PolicyCatalog policies, IReadOnlySet<string> roles, CancellationToken ct) =>
        (await store.QueryAsync<DatasetDetails>(ct)).OrderBy(d => d.Name, StringComparer.Ordinal)
            .Select(d => new DatasetView(VisibleTo(d, roles), DatasetPolicyView.Of(policies.Of(d)))).ToList();

    public static async Task<DatasetView> GetAsync(IEventStore store, PolicyCatalog policies, Guid id, IReadOnlySet<string> roles, CancellationToken ct)
    {
        var d = await store.LoadAsync<DatasetDetails>(id, ct) ?? throw new RequestRefusedException(RequestErrors.DatasetNotFound(id.ToString()));
        return new DatasetView(VisibleTo(d, roles), DatasetPolicyView.Of(policies.Of(d)));
    }

    /// <summary>Whether <paramref name="roles"/> may see the source table's row count and hash.</summary>
    public static bool SeesSourceFacts(IReadOnlySet<string> roles) =>
        roles.Contains(WorkflowRoles.DataSteward) || roles.Contains(WorkflowRoles.ComplianceOfficer);

    public static DatasetDetails VisibleTo(DatasetDetails dataset, IReadOnlySet<string> roles) =>
        SeesSourceFacts(roles) ? dataset : dataset with { SourceRows = null, SourceSha256 = null, Source = dataset.Source is null ? null : dataset.Source with { Connection = null, Relation = null, Query = null, Path = null, RowKey = null } };
}
