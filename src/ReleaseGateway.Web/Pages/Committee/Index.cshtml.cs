using Microsoft.AspNetCore.Authorization;
using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.Workflows;
using ReleaseGateway.Web.Authorization;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages.Committee;

[Authorize(Policy = WebPolicies.Committee)]
public sealed class IndexModel(IEventStore store, WorkflowCatalog workflows) : GatewayPageModel
{
    public RequestTable Table { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct) =>
        Table = await RequestTable.ForAsync(store, Request, await AccessRequestQueries.AwaitingDecisionAsync(store, workflows, Actor, ct),
            "Nothing awaits your decision.", ct);
}
