using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;

namespace ReleaseGateway.Requests.AccessRequests.AcceptForReview;

internal static class AcceptForReviewEndpoint
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder decisions) => decisions
        .MapPost("/{id:guid}/accept-for-review", Handle)
        .RequireAuthorization(AuthPolicies.Steward)
        .WithName("AcceptForReview")
        .WithSummary("Screening passed: hand the request to the committee");

    private static async Task<Ok<AccessRequestDetails>> Handle(Guid id, HttpContext http, AccessRequestCommands commands,
        CancellationToken ct) =>
        TypedResults.Ok(http.WithETag(await commands.AcceptForReviewAsync(CommandContext.Of(http), id, ct)));
}
