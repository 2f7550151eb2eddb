using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using FluentValidation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;
using ReleaseGateway.Requests.AccessRequests.SubmitAccessRequest;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Policies;

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

    private static async Task<Ok<AccessRequestDetails>> Handle(Guid id, CastVoteBody body, HttpContext http, IEventStore store, PolicyCatalog policies, CancellationToken ct)
    {
        AccessRequestTerms? regeneration = null;
        if (body.Regenerate is { } parameters)
        {
            var request = await AccessRequestStream.LoadAsync(store, id, ct);
            var dataset = await store.LoadAsync<DatasetDetails>(request.DatasetId, ct)
                ?? throw new RequestRefusedException(RequestErrors.DatasetNotFound(request.DatasetId.ToString()));
            regeneration = request.Terms with
            {
                Epsilon = parameters.Epsilon ?? request.Terms.Epsilon,
                Rows = parameters.Rows ?? request.Terms.Rows,
                Generator = parameters.Generator ?? request.Terms.Generator,
            };
            new AccessRequestTermsValidator(dataset, policies.For(dataset.Name)).ValidateAndThrow(regeneration);
        }

        return TypedResults.Ok(await AccessRequestStream.DecideAsync(http, id, (request, definition, actor, now) =>
            CastVoteDecider.Handle(request, new CastVote(id, body.Decision, body.Reason, actor, now, regeneration), definition), ct));
    }
}
