using ReleaseGateway.EventStore;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Datasets.GetDataset;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Web.Infrastructure;
using RoleNames = ReleaseGateway.Identity.Authorization.Roles;

namespace ReleaseGateway.Web.Pages.Datasets;

public sealed class IndexModel(IEventStore store, PolicyCatalog policies, BudgetLedgerViews ledgers) : GatewayPageModel
{
    public IReadOnlyList<DatasetView> Datasets { get; private set; } = [];

    public bool IsSteward { get; private set; }

    /// <summary>ε still available on each dataset's budget ledger (at the cap's δ).</summary>
    public IReadOnlyDictionary<Guid, double> RemainingEpsilon { get; private set; } = new Dictionary<Guid, double>();

    public async Task OnGetAsync(CancellationToken ct)
    {
        Datasets = await DatasetQueries.ListAsync(store, policies, Actor.Roles, ct);
        IsSteward = Actor.IsIn(RoleNames.DataSteward);
        var remaining = new Dictionary<Guid, double>();
        foreach (var d in Datasets)
            remaining[d.Dataset.Id] = (await ledgers.GetAsync(d.Dataset, ct)).RemainingEpsilon;
        RemainingEpsilon = remaining;
    }
}
