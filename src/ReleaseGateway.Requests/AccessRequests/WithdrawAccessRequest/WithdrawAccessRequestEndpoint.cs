using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;

namespace ReleaseGateway.Requests.AccessRequests.WithdrawAccessRequest;

internal static class WithdrawAccessRequestEndpoint
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder requests) => requests
        .MapPost("/{id:guid}/withdraw", Handle)
        .RequireAuthorization(AuthPolicies.Researcher)
        .WithName("WithdrawAccessRequest")
        .WithSummary("Withdraw one's own request while it is not yet released");

    private static async Task<Ok<AccessRequestDetails>> Handle(Guid id, HttpContext http, AccessRequestCommands commands,
        CancellationToken ct) =>
        TypedResults.Ok(http.WithETag(await commands.WithdrawAsync(CommandContext.Of(http), id, ct)));
}
