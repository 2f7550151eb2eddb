using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.Workflows;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages;

/// <summary>A queue of the requests on which the caller may now take <paramref name="trigger"/> (screening, sign-off), oldest first.</summary>
public abstract class AwaitingTriggerPageModel(IEventStore store, WorkflowCatalog workflows, string trigger, string empty) : GatewayPageModel
{
    public RequestTable Table { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct) =>
        Table = await RequestTable.ForAsync(store, Request, await AccessRequestQueries.AwaitingTriggerAsync(store, workflows, Actor, trigger, ct), empty, ct);
}
