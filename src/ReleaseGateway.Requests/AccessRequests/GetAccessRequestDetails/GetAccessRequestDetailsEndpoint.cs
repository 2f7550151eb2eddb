using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.EventStore;

namespace ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;

internal static class GetAccessRequestDetailsEndpoint
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder requests) => requests
        .MapGet("/{id:guid}", Handle)
        .RequireAuthorization(AuthPolicies.Authenticated)
        .WithName("GetAccessRequestDetails")
        .WithSummary("A request's terms, state, current votes and timeline")
        .WithDescription("Visible to its requester, committee members, data stewards and compliance officers; others get 404.");

    private static async Task<Ok<AccessRequestDetails>> Handle(Guid id, HttpContext http, IEventStore store, CancellationToken ct)
    {
        var details = await AccessRequestQueries.DetailsForAsync(store, http.ToActor(), id, ct);
        http.Response.Headers.ETag = $"\"{details.Version}\"";
        return TypedResults.Ok(details);
    }
}
