using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;

namespace ReleaseGateway.Requests.AccessRequests.RequestChanges;

public sealed record RequestChangesBody(string Reason);

internal static class RequestChangesEndpoint
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder decisions) => decisions
        .MapPost("/{id:guid}/changes", Handle)
        // Stewards (screening) and committee members (review) may both ask; the workflow definition says who, when.
        .RequireAuthorization(AuthPolicies.Authenticated)
        .WithName("RequestChanges")
        .WithSummary("Send the request back to its researcher with the changes needed");

    private static async Task<Ok<AccessRequestDetails>> Handle(Guid id, RequestChangesBody body, HttpContext http, AccessRequestCommands commands,
        CancellationToken ct) =>
        TypedResults.Ok(http.WithETag(await commands.RequestChangesAsync(CommandContext.Of(http), id, body.Reason, ct)));
}
