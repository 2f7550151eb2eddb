using ReleaseGateway.Requests.Consent;
using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;

namespace ReleaseGateway.Requests.AccessRequests.SubmitAccessRequest;

public sealed record SubmitAccessRequestBody(
    Guid DatasetId, string Title, string Purpose, string Justification, string IntendedUse, IReadOnlyList<string> Columns,
    double Epsilon, int Rows, string? Generator, int AccessDays, DataUse? Use = null)
{
    public AccessRequestTerms ToTerms() => new(Title, Purpose, Justification, IntendedUse, Columns ?? [], Epsilon, Rows, Generator, AccessDays, Use);
}

internal static class SubmitAccessRequestEndpoint
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder requests) => requests
        .MapPost("/", Handle)
        .RequireAuthorization(AuthPolicies.Researcher)
        .WithName("SubmitAccessRequest")
        .WithSummary("Submit an access request for a synthetic release of a dataset")
        .WithDescription("Idempotent with the Idempotency-Key header: repeating a submission with the same key returns the request it created.");

    private static async Task<Results<Created<AccessRequestDetails>, Ok<AccessRequestDetails>>> Handle(
        SubmitAccessRequestBody body, HttpContext http, AccessRequestCommands commands, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        CancellationToken ct)
    {
        var (details, created) = await commands.SubmitAsync(CommandContext.Of(http), body, idempotencyKey, ct);
        http.WithETag(details);
        return created ? TypedResults.Created($"/requests/{details.Id}", details) : TypedResults.Ok(details);
    }
}
