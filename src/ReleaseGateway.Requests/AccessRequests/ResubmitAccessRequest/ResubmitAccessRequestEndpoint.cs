using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;
using ReleaseGateway.Requests.AccessRequests.SubmitAccessRequest;

namespace ReleaseGateway.Requests.AccessRequests.ResubmitAccessRequest;

internal static class ResubmitAccessRequestEndpoint
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder requests) => requests
        .MapPost("/{id:guid}/resubmit", Handle)
        .RequireAuthorization(AuthPolicies.Researcher)
        .WithName("ResubmitAccessRequest")
        .WithSummary("Resubmit revised terms after changes were requested (the dataset cannot change)");

    private static async Task<Ok<AccessRequestDetails>> Handle(Guid id, SubmitAccessRequestBody body, HttpContext http, AccessRequestCommands commands,
        CancellationToken ct) =>
        TypedResults.Ok(http.WithETag(await commands.ResubmitAsync(CommandContext.Of(http), id, body.ToTerms(), ct)));
}
