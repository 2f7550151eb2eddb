using Microsoft.AspNetCore.Mvc;
using ReleaseGateway.EventStore;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Requests.Committees;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages.Budget;

/// <summary>One dataset's ledger over time (chart and numbers), with the releases that spent it and how often each was downloaded.</summary>
public sealed class DetailsModel(IEventStore store, BudgetLedgerViews ledgers, TimeProvider time) : GatewayPageModel
{
    [FromRoute]
    public Guid Id { get; set; }

    public LedgerSection Ledger { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!BudgetLedgerView.MayRead(Actor.Roles)) return Denied();
        if (await store.LoadAsync<DatasetDetails>(Id, ct) is not { } dataset ||
            !BudgetLedgerView.MayRead(Actor, dataset, await CommitteeRoster.LoadAsync(store, ct))) return NotFound();
        Ledger = await LedgerSection.LoadAsync(store, ledgers, dataset, Request, time.GetUtcNow(), ct);
        return Page();
    }
}
