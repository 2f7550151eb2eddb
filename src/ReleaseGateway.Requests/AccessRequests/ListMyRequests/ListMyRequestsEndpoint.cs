using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.EventStore;
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

    private static async Task<Ok<IReadOnlyList<AccessRequestSummary>>> Handle(HttpContext http, IEventStore store, CancellationToken ct) =>
        TypedResults.Ok(await AccessRequestQueries.MineAsync(store, http.ToActor(), ct));
}
