using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;

namespace ReleaseGateway.Requests.AccessRequests.CastVote;

/// <param name="Decision"><c>approve</c> or <c>reject</c>.</param>
/// <param name="Regenerate">Only when approving a blocked request: new generation parameters (unset ones keep the request's).</param>
public sealed record CastVoteBody(string Decision, string Reason, RegenerationParameters? Regenerate = null);

/// <summary>The parameters a regeneration may change; each is checked against the dataset's policy like a new request.</summary>
public sealed record RegenerationParameters(double? Epsilon, int? Rows, string? Generator);

internal static class CastVoteEndpoint
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder decisions) => decisions
        .MapPost("/{id:guid}/votes", Handle)
        .RequireAuthorization(AuthPolicies.Committee)
        .WithName("CastVote")
        .WithSummary("Vote to approve or reject, with a reason; the vote that reaches the quorum decides the request");

    private static async Task<Ok<AccessRequestDetails>> Handle(Guid id, CastVoteBody body, HttpContext http, AccessRequestCommands commands,
        CancellationToken ct) =>
        TypedResults.Ok(http.WithETag(await commands.CastVoteAsync(CommandContext.Of(http), id, body.Decision, body.Reason, body.Regenerate, ct)));
}
