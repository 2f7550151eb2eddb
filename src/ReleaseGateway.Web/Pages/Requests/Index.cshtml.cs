using Microsoft.AspNetCore.Authorization;
using ReleaseGateway.EventStore;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Web.Authorization;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages.Requests;

[Authorize(Policy = WebPolicies.Researcher)]
public sealed class IndexModel(IEventStore store, PipelineProgress progress) : GatewayPageModel
{
    public RequestTable Table { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct) =>
        Table = await RequestTable.ForAsync(store, Request, await AccessRequestQueries.MineAsync(store, Actor, ct), "You have not submitted a request yet.", ct,
            progress);
}
