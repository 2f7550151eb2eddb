using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FluentValidation;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Requests.AccessRequests.AcceptForReview;
using ReleaseGateway.Requests.Audit;
using ReleaseGateway.Requests.AccessRequests.AdvanceAccessRequest;
using ReleaseGateway.Requests.AccessRequests.CastVote;
using ReleaseGateway.Requests.AccessRequests.DeclareConflict;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;
using ReleaseGateway.Requests.AccessRequests.RequestChanges;
using ReleaseGateway.Requests.AccessRequests.ResubmitAccessRequest;
using ReleaseGateway.Requests.AccessRequests.SubmitAccessRequest;
using ReleaseGateway.Requests.AccessRequests.WithdrawAccessRequest;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Requests.Validation;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Requests.AccessRequests;

/// <summary>An accepted submission: the request, and whether this call created it (false: an idempotent repeat).</summary>
public sealed record SubmittedAccessRequest(AccessRequestDetails Details, bool Created);

/// <summary>
/// The access-request commands as the HTTP endpoints and the web pages both run them, in-process: the caller
/// is the current request's principal (bearer token or web session, with the same claims), each command goes
/// through its pure decider and <see cref="AccessRequestStream"/>, and a refusal throws
/// <see cref="RequestRefusedException"/> or <see cref="ValidationException"/> with nothing appended to the request; the refusal
/// itself is recorded beside it (<see cref="Audit.Refusals"/>, ADR 0031).
/// </summary>
public static class AccessRequestCommands
{
    /// <summary>A refused submission is recorded against the dataset it was for.</summary>
    public static Task<SubmittedAccessRequest> SubmitAsync(HttpContext http, SubmitAccessRequestBody body, string? idempotencyKey, CancellationToken ct) =>
        Refusals.RecordedAsync(http, body.DatasetId, "submit", () => SubmitCoreAsync(http, body, idempotencyKey, ct));

    private static async Task<SubmittedAccessRequest> SubmitCoreAsync(HttpContext http, SubmitAccessRequestBody body, string? idempotencyKey, CancellationToken ct)
    {
        var services = http.RequestServices;
        var store = services.GetRequiredService<IEventStore>();
        var policies = services.GetRequiredService<PolicyCatalog>();
        var workflows = services.GetRequiredService<WorkflowCatalog>();
        var actor = http.ToActor();
        var dataset = await store.LoadAsync<DatasetDetails>(body.DatasetId, ct)
            ?? throw new RequestRefusedException(RequestErrors.DatasetNotFound(body.DatasetId.ToString()));
        var policy = policies.For(dataset.Name);
        var requestId = Guid.CreateVersion7();
        var submitted = SubmitAccessRequestDecider.Handle(
            new SubmitAccessRequest.SubmitAccessRequest(requestId, dataset.Id, body.ToTerms(), actor, services.GetRequiredService<TimeProvider>().GetUtcNow()),
            dataset, policy, workflows.Get(policy.Workflow), services.GetService<NoiseScaleBound>());

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
            return new SubmittedAccessRequest(existing, Created: false);
        }
        var details = await store.LoadAsync<AccessRequestDetails>(requestId, ct) ?? throw new RequestRefusedException(RequestErrors.RequestNotFound(requestId));
        http.Response.Headers.ETag = $"\"{details.Version}\"";
        return new SubmittedAccessRequest(details, Created: true);
    }

    /// <summary>Revised terms after changes were requested; the dataset stays the one submitted for.</summary>
    public static Task<AccessRequestDetails> ResubmitAsync(HttpContext http, Guid id, AccessRequestTerms terms, CancellationToken ct) =>
        Refusals.RecordedAsync(http, id, "resubmit", () => ResubmitCoreAsync(http, id, terms, ct));

    private static async Task<AccessRequestDetails> ResubmitCoreAsync(HttpContext http, Guid id, AccessRequestTerms terms, CancellationToken ct)
    {
        var store = http.RequestServices.GetRequiredService<IEventStore>();
        var policies = http.RequestServices.GetRequiredService<PolicyCatalog>();
        var current = await AccessRequestStream.LoadAsync(store, id, ct);
        var dataset = await store.LoadAsync<DatasetDetails>(current.DatasetId, ct)
            ?? throw new RequestRefusedException(RequestErrors.DatasetNotFound(current.DatasetId.ToString()));
        return await AccessRequestStream.DecideAsync(http, id, (request, definition, actor, now) =>
            [ResubmitAccessRequestDecider.Handle(request, new ResubmitAccessRequest.ResubmitAccessRequest(id, terms, actor, now), definition, dataset,
                policies.For(dataset.Name), http.RequestServices.GetService<NoiseScaleBound>())], ct);
    }

    public static Task<AccessRequestDetails> WithdrawAsync(HttpContext http, Guid id, CancellationToken ct) =>
        Refusals.RecordedAsync(http, id, "withdraw", () => AccessRequestStream.DecideAsync(http, id, (request, definition, actor, now) =>
            [WithdrawAccessRequestDecider.Handle(request, new WithdrawAccessRequest.WithdrawAccessRequest(id, actor, now), definition)], ct));

    public static Task<AccessRequestDetails> AcceptForReviewAsync(HttpContext http, Guid id, CancellationToken ct) =>
        Refusals.RecordedAsync(http, id, "accept-for-review", () => AccessRequestStream.DecideAsync(http, id, (request, definition, actor, now) =>
            [AcceptForReviewDecider.Handle(request, new AcceptForReview.AcceptForReview(id, actor, now), definition)], ct));

    public static Task<AccessRequestDetails> RequestChangesAsync(HttpContext http, Guid id, string reason, CancellationToken ct) =>
        Refusals.RecordedAsync(http, id, "request-changes", () => AccessRequestStream.DecideAsync(http, id, (request, definition, actor, now) =>
            [RequestChangesDecider.Handle(request, new RequestChanges.RequestChanges(id, reason, actor, now), definition)], ct));

    public static Task<AccessRequestDetails> DeclareConflictAsync(HttpContext http, Guid id, CancellationToken ct) =>
        Refusals.RecordedAsync(http, id, "declare-conflict", () => AccessRequestStream.DecideAsync(http, id, (request, definition, actor, now) =>
            [DeclareConflictDecider.Handle(request, new DeclareConflict.DeclareConflict(id, actor, now), definition)], ct));

    /// <summary>
    /// A vote on the request's current terms or, with <paramref name="regenerate"/> (approving a blocked request), on a
    /// regeneration: the request's terms with the new parameters, checked against the dataset's policy like a new request.
    /// </summary>
    public static Task<AccessRequestDetails> CastVoteAsync(HttpContext http, Guid id, string decision, string reason,
        RegenerationParameters? regenerate, CancellationToken ct) =>
        Refusals.RecordedAsync(http, id, "vote", () => CastVoteCoreAsync(http, id, decision, reason, regenerate, ct));

    private static async Task<AccessRequestDetails> CastVoteCoreAsync(HttpContext http, Guid id, string decision, string reason,
        RegenerationParameters? regenerate, CancellationToken ct)
    {
        AccessRequestTerms? regeneration = null;
        if (regenerate is not null)
        {
            var store = http.RequestServices.GetRequiredService<IEventStore>();
            var policies = http.RequestServices.GetRequiredService<PolicyCatalog>();
            var request = await AccessRequestStream.LoadAsync(store, id, ct);
            var dataset = await store.LoadAsync<DatasetDetails>(request.DatasetId, ct)
                ?? throw new RequestRefusedException(RequestErrors.DatasetNotFound(request.DatasetId.ToString()));
            regeneration = request.Terms with
            {
                Epsilon = regenerate.Epsilon ?? request.Terms.Epsilon,
                Rows = regenerate.Rows ?? request.Terms.Rows,
                Generator = regenerate.Generator ?? request.Terms.Generator,
            };
            new AccessRequestTermsValidator(dataset, policies.For(dataset.Name), http.RequestServices.GetService<NoiseScaleBound>()).ValidateAndThrow(regeneration);
        }
        return await AccessRequestStream.DecideAsync(http, id, (request, definition, actor, now) =>
            CastVoteDecider.Handle(request, new CastVote.CastVote(id, decision, reason, actor, now, regeneration), definition), ct);
    }

    /// <summary>The compliance officer's key of the two-key workflow: sign off, or refuse (which blocks).</summary>
    public static Task<AccessRequestDetails> SignOffAsync(HttpContext http, Guid id, bool approve, string? reason, CancellationToken ct) =>
        Refusals.RecordedAsync(http, id, approve ? "sign-off" : "refuse-sign-off", () => SignOffCoreAsync(http, id, approve, reason, ct));

    private static Task<AccessRequestDetails> SignOffCoreAsync(HttpContext http, Guid id, bool approve, string? reason, CancellationToken ct)
    {
        new ReasonValidator().ValidateAndThrow(reason ?? "");
        return AccessRequestStream.DecideAsync(http, id, (request, definition, actor, now) =>
            [AdvanceAccessRequestDecider.Handle(request,
                new AdvanceAccessRequest.AdvanceAccessRequest(id, approve ? WorkflowTriggers.SignOff : WorkflowTriggers.RefuseSignOff, reason ?? "", actor, now),
                definition)], ct);
    }

    /// <summary>One stream per (researcher, key): keys are scoped to their user, and only a hash of the key is stored.</summary>
    private static Guid KeyStreamId(string actorId, string key) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"submission-key\n{actorId}\n{key}")).AsSpan(0, 16));

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
