using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;

namespace ReleaseGateway.Requests.AccessRequests.ListMyRequests;

public sealed record AccessRequestSummary(Guid Id, Guid DatasetId, string Title, string State, DateTimeOffset SubmittedAt, DateTimeOffset UpdatedAt, long Version)
{
    public static AccessRequestSummary Of(AccessRequestDetails d) => new(d.Id, d.DatasetId, d.Terms.Title, d.State, d.SubmittedAt, d.UpdatedAt, d.Version);
}

internal static class ListMyRequestsEndpoint
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder requests) => requests
        .MapGet("/mine", Handle)
        .RequireAuthorization(AuthPolicies.Researcher)
        .WithName("ListMyRequests")
        .WithSummary("The caller's own requests with their status, newest first");

    private static async Task<Ok<IReadOnlyList<AccessRequestSummary>>> Handle(HttpContext http, IEventStore store, CancellationToken ct)
    {
        var actor = http.ToActor();
        var all = await store.QueryAsync<AccessRequestDetails>(ct);
        IReadOnlyList<AccessRequestSummary> mine = all.Where(d => d.RequesterId == actor.Id)
            .OrderByDescending(d => d.SubmittedAt).Select(AccessRequestSummary.Of).ToList();
        return TypedResults.Ok(mine);
    }
}
