using Microsoft.AspNetCore.Authorization;
using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Web.Authorization;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages.Requests;

[Authorize(Policy = WebPolicies.Researcher)]
public sealed class IndexModel(IEventStore store) : GatewayPageModel
{
    public RequestTable Table { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct) =>
        Table = await RequestTable.ForAsync(store, await AccessRequestQueries.MineAsync(store, Actor, ct), "You have not submitted a request yet.", ct);
}
