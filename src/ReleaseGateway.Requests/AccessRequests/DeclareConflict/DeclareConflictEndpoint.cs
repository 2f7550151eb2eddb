using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;

namespace ReleaseGateway.Requests.AccessRequests.DeclareConflict;

internal static class DeclareConflictEndpoint
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder decisions) => decisions
        .MapPost("/{id:guid}/conflicts", Handle)
        .RequireAuthorization(AuthPolicies.Committee)
        .WithName("DeclareConflict")
        .WithSummary("Declare a conflict of interest: the member is recused from this request and the quorum counts without them");

    private static async Task<Ok<AccessRequestDetails>> Handle(Guid id, HttpContext http, AccessRequestCommands commands,
        CancellationToken ct) =>
        TypedResults.Ok(http.WithETag(await commands.DeclareConflictAsync(CommandContext.Of(http), id, ct)));
}
