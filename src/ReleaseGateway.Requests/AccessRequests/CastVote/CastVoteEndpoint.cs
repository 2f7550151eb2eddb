using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;

namespace ReleaseGateway.Requests.AccessRequests.CastVote;

/// <param name="Decision"><c>approve</c> or <c>reject</c>.</param>
public sealed record CastVoteBody(string Decision, string Reason);

internal static class CastVoteEndpoint
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder decisions) => decisions
        .MapPost("/{id:guid}/votes", Handle)
        .RequireAuthorization(AuthPolicies.Committee)
        .WithName("CastVote")
        .WithSummary("Vote to approve or reject, with a reason; the vote that reaches the quorum decides the request");

    private static async Task<Ok<AccessRequestDetails>> Handle(Guid id, CastVoteBody body, HttpContext http, CancellationToken ct) =>
        TypedResults.Ok(await AccessRequestStream.DecideAsync(http, id, (request, definition, actor, now) =>
            CastVoteDecider.Handle(request, new CastVote(id, body.Decision, body.Reason, actor, now), definition), ct));
}
