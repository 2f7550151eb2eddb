using Microsoft.AspNetCore.Mvc;
using ReleaseGateway.EventStore;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Requests.Committees;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages.Budget;

/// <summary>Every dataset's privacy budget at a glance, for those who may read the ledger (<see cref="BudgetLedgerView.MayRead(ReleaseGateway.Requests.Actor, DatasetDetails, CommitteeRoster)"/>).</summary>
public sealed class IndexModel(IEventStore store, BudgetLedgerViews ledgers) : GatewayPageModel
{
    public IReadOnlyList<(DatasetDetails Dataset, BudgetLedgerView Ledger)> Ledgers { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!BudgetLedgerView.MayRead(Actor.Roles)) return Denied();
        var rows = new List<(DatasetDetails, BudgetLedgerView)>();
        var roster = await CommitteeRoster.LoadAsync(store, ct);
        foreach (var dataset in (await store.QueryAsync<DatasetDetails>(ct)).Where(d => BudgetLedgerView.MayRead(Actor, d, roster))
                     .OrderBy(d => d.Name, StringComparer.Ordinal))
            rows.Add((dataset, await ledgers.GetAsync(dataset, ct)));
        Ledgers = rows;
        return Page();
    }
}
