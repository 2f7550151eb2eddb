using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Requests.AccessRequests.SubmitAccessRequest;

public sealed record SubmitAccessRequestBody(
    Guid DatasetId, string Title, string Purpose, string Justification, string IntendedUse, IReadOnlyList<string> Columns,
    double Epsilon, int Rows, string? Generator, int AccessDays)
{
    public AccessRequestTerms ToTerms() => new(Title, Purpose, Justification, IntendedUse, Columns ?? [], Epsilon, Rows, Generator, AccessDays);
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
        SubmitAccessRequestBody body, HttpContext http, IEventStore store, PolicyCatalog policies, WorkflowCatalog workflows,
        TimeProvider time, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, CancellationToken ct)
    {
        var actor = http.ToActor();
        var dataset = await store.LoadAsync<DatasetDetails>(body.DatasetId, ct)
            ?? throw new RequestRefusedException(RequestErrors.DatasetNotFound(body.DatasetId.ToString()));
        var policy = policies.For(dataset.Name);
        var requestId = Guid.CreateVersion7();
        var submitted = SubmitAccessRequestDecider.Handle(
            new SubmitAccessRequest(requestId, dataset.Id, body.ToTerms(), actor, time.GetUtcNow()), dataset, policy, workflows.Get(policy.Workflow));

        var termsHash = Hash(JsonSerializer.Serialize(new { body.DatasetId, Terms = body.ToTerms() }, EventTypeRegistry.JsonOptions));
        Guid? keyStream = string.IsNullOrWhiteSpace(idempotencyKey) ? null : KeyStreamId(actor.Id, idempotencyKey);
        try
        {
            await using var session = store.OpenSession(http.GetEventMetadata(WorkflowRoles.Researcher));
            if (keyStream is { } k)
                session.StartStream(k, new SubmissionKeyRecorded(Hash(idempotencyKey!), requestId, termsHash, actor.Id, submitted.SubmittedAt));
            session.StartStream(requestId, submitted);
            await session.SaveChangesAsync(ct);
        }
        catch (StreamVersionConflictException) when (keyStream is { } k)
        {
            var recorded = (await store.FetchStreamAsync(k, ct)).Select(e => e.Data).OfType<SubmissionKeyRecorded>().Single();
            if (recorded.TermsHash != termsHash) throw new RequestRefusedException(RequestErrors.IdempotencyKeyReused());
            var existing = await store.LoadAsync<AccessRequestDetails>(recorded.RequestId, ct)
                ?? throw new RequestRefusedException(RequestErrors.RequestNotFound(recorded.RequestId));
            http.Response.Headers.ETag = $"\"{existing.Version}\"";
            return TypedResults.Ok(existing);
        }
        var details = await store.LoadAsync<AccessRequestDetails>(requestId, ct) ?? throw new RequestRefusedException(RequestErrors.RequestNotFound(requestId));
        http.Response.Headers.ETag = $"\"{details.Version}\"";
        return TypedResults.Created($"/requests/{requestId}", details);
    }

    /// <summary>One stream per (researcher, key): keys are scoped to their user, and only a hash of the key is stored.</summary>
    private static Guid KeyStreamId(string actorId, string key) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"submission-key\n{actorId}\n{key}")).AsSpan(0, 16));

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
