using Microsoft.AspNetCore.Authorization;
using ReleaseGateway.EventStore;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.Workflows;
using ReleaseGateway.Web.Authorization;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages.Committee;

[Authorize(Policy = WebPolicies.Committee)]
public sealed class IndexModel(IEventStore store, WorkflowCatalog workflows, BudgetLedgerViews ledgers, UserDirectory names) : GatewayPageModel
{
    public RequestTable Table { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct) =>
        Table = await (await RequestTable.ForAsync(store, Request, await AccessRequestQueries.AwaitingDecisionAsync(store, workflows, Actor, ct),
            "Nothing awaits your decision. Requests you have voted on, and decided ones, are under All requests.", ct))
            .WithCommitteeFactsAsync(store, ledgers, names, Actor, ct);
}
