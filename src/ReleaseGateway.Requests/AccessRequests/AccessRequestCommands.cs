using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FluentValidation;
using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.AccessRequests.AcceptForReview;
using ReleaseGateway.Requests.Audit;
using ReleaseGateway.Requests.Committees;
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
/// The access-request commands as the HTTP endpoints, the web pages and jobs all run them, in-process, for the caller
/// described by a <see cref="CommandContext"/>: each command goes through its pure decider, and a refusal throws
/// <see cref="RequestRefusedException"/> or <see cref="ValidationException"/> with nothing appended to the request; the
/// refusal itself is recorded beside it (<see cref="Refusals"/>, ADR 0031).
/// Load the stream, rebuild the state, decide, append with the expected version: without an expected version a lost
/// race is decided again on the new state (so two racing votes each count exactly once, and a vote after the quorum is
/// refused); with one (If-Match) the caller asked for exactly that version.
/// </summary>
public sealed class AccessRequestCommands(IEventStore store, PolicyCatalog policies, WorkflowCatalog workflows, TimeProvider time,
    IEnumerable<IAccessRequestDecisionHook> hooks, Refusals refusals, NoiseScaleBound? noiseBound = null,
    IEnumerable<ISubmissionCheck>? submissionChecks = null)
{
    // A lost race on the request's own stream is rare (a few members voting at once); on another module's
    // stream (a dataset's budget ledger, shared by every request on the dataset) it is common under load.
    private const int Attempts = 5;
    private const int SharedStreamAttempts = 64;

    /// <summary>A refused submission is recorded against the dataset it was for.</summary>
    public Task<SubmittedAccessRequest> SubmitAsync(CommandContext caller, SubmitAccessRequestBody body, string? idempotencyKey, CancellationToken ct) =>
        refusals.RecordedAsync(caller, body.DatasetId, "submit", () => SubmitCoreAsync(caller, body, idempotencyKey, ct));

    private async Task<SubmittedAccessRequest> SubmitCoreAsync(CommandContext caller, SubmitAccessRequestBody body, string? idempotencyKey, CancellationToken ct)
    {
        var actor = caller.Actor;
        var dataset = await store.LoadAsync<DatasetDetails>(body.DatasetId, ct)
            ?? throw new RequestRefusedException(RequestErrors.DatasetNotFound(body.DatasetId.ToString()));
        var policy = policies.For(dataset.Name);
        var requestId = Guid.CreateVersion7();
        var committee = (await CommitteeRoster.LoadAsync(store, ct)).For(dataset.CommitteeId);
        var submitted = SubmitAccessRequestDecider.Handle(
            new SubmitAccessRequest.SubmitAccessRequest(requestId, dataset.Id, body.ToTerms(), actor, time.GetUtcNow()),
            dataset, policy, workflows.Get(policy.Workflow), noiseBound, committee);
        foreach (var check in submissionChecks ?? []) await check.CheckAsync(actor, dataset, policy, ct);

        var termsHash = Hash(JsonSerializer.Serialize(new { body.DatasetId, Terms = body.ToTerms() }, EventTypeRegistry.JsonOptions));
        Guid? keyStream = string.IsNullOrWhiteSpace(idempotencyKey) ? null : KeyStreamId(actor.Id, idempotencyKey);
        try
        {
            await using var session = store.OpenSession(caller.Metadata(WorkflowRoles.Researcher));
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
            return new SubmittedAccessRequest(existing, Created: false);
        }
        var details = await store.LoadAsync<AccessRequestDetails>(requestId, ct) ?? throw new RequestRefusedException(RequestErrors.RequestNotFound(requestId));
        return new SubmittedAccessRequest(details, Created: true);
    }

    /// <summary>Revised terms after changes were requested; the dataset stays the one submitted for.</summary>
    public Task<AccessRequestDetails> ResubmitAsync(CommandContext caller, Guid id, AccessRequestTerms terms, CancellationToken ct) =>
        refusals.RecordedAsync(caller, id, "resubmit", () => ResubmitCoreAsync(caller, id, terms, ct));

    private async Task<AccessRequestDetails> ResubmitCoreAsync(CommandContext caller, Guid id, AccessRequestTerms terms, CancellationToken ct)
    {
        var current = await AccessRequestStream.LoadAsync(store, id, ct);
        var dataset = await store.LoadAsync<DatasetDetails>(current.DatasetId, ct)
            ?? throw new RequestRefusedException(RequestErrors.DatasetNotFound(current.DatasetId.ToString()));
        return await DecideAsync(caller, id, (request, definition, committee, actor, now) =>
            [ResubmitAccessRequestDecider.Handle(request, new ResubmitAccessRequest.ResubmitAccessRequest(id, terms, actor, now), definition, dataset,
                policies.For(dataset.Name), noiseBound, committee)], ct);
    }

    public Task<AccessRequestDetails> WithdrawAsync(CommandContext caller, Guid id, CancellationToken ct) =>
        refusals.RecordedAsync(caller, id, "withdraw", () => DecideAsync(caller, id, (request, definition, committee, actor, now) =>
            [WithdrawAccessRequestDecider.Handle(request, new WithdrawAccessRequest.WithdrawAccessRequest(id, actor, now), definition, committee)], ct));

    public Task<AccessRequestDetails> AcceptForReviewAsync(CommandContext caller, Guid id, CancellationToken ct) =>
        refusals.RecordedAsync(caller, id, "accept-for-review", () => DecideAsync(caller, id, (request, definition, committee, actor, now) =>
            [AcceptForReviewDecider.Handle(request, new AcceptForReview.AcceptForReview(id, actor, now), definition, committee)], ct));

    public Task<AccessRequestDetails> RequestChangesAsync(CommandContext caller, Guid id, string reason, CancellationToken ct) =>
        refusals.RecordedAsync(caller, id, "request-changes", () => DecideAsync(caller, id, (request, definition, committee, actor, now) =>
            [RequestChangesDecider.Handle(request, new RequestChanges.RequestChanges(id, reason, actor, now), definition, committee)], ct));

    public Task<AccessRequestDetails> DeclareConflictAsync(CommandContext caller, Guid id, CancellationToken ct) =>
        refusals.RecordedAsync(caller, id, "declare-conflict", () => DecideAsync(caller, id, (request, definition, committee, actor, now) =>
            [DeclareConflictDecider.Handle(request, new DeclareConflict.DeclareConflict(id, actor, now), definition, committee)], ct));

    /// <summary>
    /// A vote on the request's current terms or, with <paramref name="regenerate"/> (approving a blocked request), on a
    /// regeneration: the request's terms with the new parameters, checked against the dataset's policy like a new request.
    /// </summary>
    public Task<AccessRequestDetails> CastVoteAsync(CommandContext caller, Guid id, string decision, string reason,
        RegenerationParameters? regenerate, CancellationToken ct) =>
        refusals.RecordedAsync(caller, id, "vote", () => CastVoteCoreAsync(caller, id, decision, reason, regenerate, ct));

    private async Task<AccessRequestDetails> CastVoteCoreAsync(CommandContext caller, Guid id, string decision, string reason,
        RegenerationParameters? regenerate, CancellationToken ct)
    {
        AccessRequestTerms? regeneration = null;
        if (regenerate is not null)
        {
            var request = await AccessRequestStream.LoadAsync(store, id, ct);
            var dataset = await store.LoadAsync<DatasetDetails>(request.DatasetId, ct)
                ?? throw new RequestRefusedException(RequestErrors.DatasetNotFound(request.DatasetId.ToString()));
            regeneration = request.Terms with
            {
                Epsilon = regenerate.Epsilon ?? request.Terms.Epsilon,
                Rows = regenerate.Rows ?? request.Terms.Rows,
                Generator = regenerate.Generator ?? request.Terms.Generator,
            };
            new AccessRequestTermsValidator(dataset, policies.For(dataset.Name), noiseBound).ValidateAndThrow(regeneration);
        }
        return await DecideAsync(caller, id, (request, definition, committee, actor, now) =>
            CastVoteDecider.Handle(request, new CastVote.CastVote(id, decision, reason, actor, now, regeneration), definition, committee), ct);
    }

    /// <summary>The compliance officer's key of the two-key workflow: sign off, or refuse (which blocks).</summary>
    public Task<AccessRequestDetails> SignOffAsync(CommandContext caller, Guid id, bool approve, string? reason, CancellationToken ct) =>
        refusals.RecordedAsync(caller, id, approve ? "sign-off" : "refuse-sign-off", () =>
        {
            new ReasonValidator().ValidateAndThrow(reason ?? "");
            return DecideAsync(caller, id, (request, definition, committee, actor, now) =>
                [AdvanceAccessRequestDecider.Handle(request,
                    new AdvanceAccessRequest.AdvanceAccessRequest(id, approve ? WorkflowTriggers.SignOff : WorkflowTriggers.RefuseSignOff, reason ?? "", actor, now),
                    definition, committee)], ct);
        });

    private async Task<AccessRequestDetails> DecideAsync(
        CommandContext caller, Guid id, Func<AccessRequest, WorkflowDefinition, RequestCommittee, Actor, DateTimeOffset, IReadOnlyList<object>> decide,
        CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var actor = caller.Actor;
        var ifMatch = caller.ExpectedVersion;
        for (var attempt = 1; ; attempt++)
        {
            var request = await AccessRequestStream.LoadAsync(store, id, ct);
            var roster = await CommitteeRoster.LoadAsync(store, ct);
            // Before any other refusal: a 403 or 409 would reveal that the request exists and its state (issue 15, row 7).
            if (!AccessRequestQueries.MaySee(actor, request.RequesterId, request.CommitteeId, roster))
                throw new RequestRefusedException(RequestErrors.RequestNotFound(id));
            if (ifMatch is { } expected && expected != request.Version)
                throw new RequestRefusedException(RequestErrors.StaleVersion(expected, request.Version, request.State));
            var events = decide(request, workflows.Get(request.Workflow), roster.For(request.CommitteeId), actor, now);
            try
            {
                await using var session = store.OpenSession(caller.Metadata(ActingRole(actor, events)));
                session.Append(id, request.Version, [.. events]);
                foreach (var hook in hooks) await hook.StageAsync(session, request, events, actor, now, ct);
                await session.SaveChangesAsync(ct);
                break;
            }
            catch (StreamVersionConflictException e) when (e.StreamId != id && attempt < SharedStreamAttempts)
            {
                // Another stream staged by a hook moved on (another approval reserved budget): decide again.
            }
            catch (StreamVersionConflictException) when (ifMatch is null && attempt < Attempts)
            {
                // Another writer won: decide again on the state it produced.
            }
            catch (RequestRefusedException) when (ifMatch is null && attempt < Attempts)
            {
                // A hook refused on a stale request (another approval won the race and reserved the budget the hook just
                // read): decide again on the state that approval produced, which refuses with that state, or throw.
                var latest = await store.FetchStreamAsync(id, ct);
                if (latest[^1].StreamVersion == request.Version) throw;
            }
            catch (StreamVersionConflictException e)
            {
                throw new RequestRefusedException(RequestErrors.StaleVersion(e.ExpectedVersion, e.ActualVersion, null));
            }
        }
        return await store.LoadAsync<AccessRequestDetails>(id, ct) ?? throw new RequestRefusedException(RequestErrors.RequestNotFound(id));
    }

    /// <summary>The role recorded in the events' metadata: the one the workflow let the actor act in.</summary>
    private static string ActingRole(Actor actor, IReadOnlyList<object> events) => events[0] switch
    {
        CommitteeVoteCast or ConflictOfInterestDeclared when actor.IsIn(WorkflowRoles.CommitteeMember) => WorkflowRoles.CommitteeMember,
        AccessRequestWithdrawn or AccessRequestResubmitted or AccessRequestSubmitted => WorkflowRoles.Researcher,
        AccessRequestAcceptedForReview => WorkflowRoles.DataSteward,
        AccessRequestChangesRequested when actor.IsIn(WorkflowRoles.CommitteeMember) => WorkflowRoles.CommitteeMember,
        AccessRequestChangesRequested => WorkflowRoles.DataSteward,
        AccessRequestAdvanced when actor.IsIn(WorkflowRoles.ComplianceOfficer) => WorkflowRoles.ComplianceOfficer,
        AccessRequestAdvanced when actor.IsIn(WorkflowRoles.CommitteeMember) => WorkflowRoles.CommitteeMember,
        _ => actor.Roles.Order(StringComparer.Ordinal).First(),
    };

    /// <summary>One stream per (researcher, key): keys are scoped to their user, and only a hash of the key is stored.</summary>
    private static Guid KeyStreamId(string actorId, string key) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"submission-key\n{actorId}\n{key}")).AsSpan(0, 16));

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
