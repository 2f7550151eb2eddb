using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;

namespace ReleaseGateway.Requests.AccessRequests.AdvanceAccessRequest;

/// <param name="Approve">True signs off; false refuses, which blocks the release for the committee to decide.</param>
public sealed record SignOffBody(bool Approve, string Reason);

/// <summary>The compliance officer's key of the two-key workflow. The other pipeline triggers are fired in-process by the release pipeline.</summary>
internal static class SignOffEndpoint
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder decisions) => decisions
        .MapPost("/{id:guid}/sign-off", Handle)
        .RequireAuthorization(AuthPolicies.Compliance)
        .WithName("SignOffRelease")
        .WithSummary("Compliance sign-off (two-key workflow): release, or refuse and block");

    private static async Task<Ok<AccessRequestDetails>> Handle(Guid id, SignOffBody body, HttpContext http, AccessRequestCommands commands,
        CancellationToken ct) =>
        TypedResults.Ok(http.WithETag(await commands.SignOffAsync(CommandContext.Of(http), id, body.Approve, body.Reason, ct)));
}
