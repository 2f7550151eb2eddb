using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.AccessRequests.ListMyRequests;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Requests.AccessRequests.ListAwaitingMyDecision;

internal static class ListAwaitingMyDecisionEndpoint
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder decisions) => decisions
        .MapGet("/awaiting", Handle)
        .RequireAuthorization(AuthPolicies.Committee)
        .WithName("ListAwaitingMyDecision")
        .WithSummary("Requests the calling committee member can vote on now (not own, not yet voted, not recused), oldest first");

    private static async Task<Ok<IReadOnlyList<AccessRequestSummary>>> Handle(HttpContext http, IEventStore store, WorkflowCatalog workflows, CancellationToken ct) =>
        TypedResults.Ok(await AccessRequestQueries.AwaitingDecisionAsync(store, workflows, http.ToActor(), ct));
}
