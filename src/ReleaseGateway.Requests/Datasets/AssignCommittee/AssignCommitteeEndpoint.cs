using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace ReleaseGateway.Requests.Datasets.AssignCommittee;

/// <param name="Committee">The committee's name or id, or <c>default</c>.</param>
public sealed record AssignCommitteeBody(string Committee);

internal static class AssignCommitteeEndpoint
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder datasets) => datasets
        .MapPut("/{id:guid}/committee", Handle)
        .RequireAuthorization(AuthPolicies.Steward)
        .WithName("AssignDatasetCommittee")
        .WithSummary("Name the committee that decides new requests on the dataset (the registering steward); requests in flight keep theirs");

    private static async Task<Ok<DatasetDetails>> Handle(Guid id, AssignCommitteeBody body, HttpContext http, DatasetCommands commands, CancellationToken ct) =>
        TypedResults.Ok(await commands.AssignCommitteeAsync(CommandContext.Of(http), id, body.Committee ?? "", ct));
}
