using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Datasets.GetDataset;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Web.Infrastructure;
using RoleNames = ReleaseGateway.Identity.Authorization.Roles;

namespace ReleaseGateway.Web.Pages.Datasets;

public sealed class IndexModel(IEventStore store, PolicyCatalog policies) : GatewayPageModel
{
    public IReadOnlyList<DatasetView> Datasets { get; private set; } = [];

    public bool IsSteward { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Datasets = await DatasetQueries.ListAsync(store, policies, ct);
        IsSteward = Actor.IsIn(RoleNames.DataSteward);
    }
}
