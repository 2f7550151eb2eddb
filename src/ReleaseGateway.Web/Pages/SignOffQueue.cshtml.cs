using Microsoft.AspNetCore.Authorization;
using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.Workflows;
using ReleaseGateway.Web.Authorization;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages;

[Authorize(Policy = WebPolicies.Compliance)]
public sealed class SignOffQueueModel(IEventStore store, WorkflowCatalog workflows) : GatewayPageModel
{
    public RequestTable Table { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct) =>
        Table = await RequestTable.ForAsync(store, Request,
            await AccessRequestQueries.AwaitingTriggerAsync(store, workflows, Actor, WorkflowTriggers.SignOff, ct), "No release awaits sign-off.", ct);
}
