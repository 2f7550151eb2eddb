using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;
using ReleaseGateway.Requests.AccessRequests.SubmitAccessRequest;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Policies;

namespace ReleaseGateway.Requests.AccessRequests.ResubmitAccessRequest;

internal static class ResubmitAccessRequestEndpoint
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder requests) => requests
        .MapPost("/{id:guid}/resubmit", Handle)
        .RequireAuthorization(AuthPolicies.Researcher)
        .WithName("ResubmitAccessRequest")
        .WithSummary("Resubmit revised terms after changes were requested (the dataset cannot change)");

    private static async Task<Ok<AccessRequestDetails>> Handle(Guid id, SubmitAccessRequestBody body, HttpContext http, IEventStore store, CancellationToken ct)
    {
        var policies = http.RequestServices.GetRequiredService<PolicyCatalog>();
        var current = await AccessRequestStream.LoadAsync(store, id, ct);
        var dataset = await store.LoadAsync<DatasetDetails>(current.DatasetId, ct)
            ?? throw new RequestRefusedException(RequestErrors.DatasetNotFound(current.DatasetId.ToString()));
        return TypedResults.Ok(await AccessRequestStream.DecideAsync(http, id, (request, definition, actor, now) =>
            [ResubmitAccessRequestDecider.Handle(request, new ResubmitAccessRequest(id, body.ToTerms(), actor, now), definition, dataset,
                policies.For(dataset.Name))], ct));
    }
}
