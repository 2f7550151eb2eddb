using FluentValidation;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Requests.AccessRequests;

/// <summary>
/// Load the stream, rebuild the state, decide (pure), append with the expected version. Without an
/// If-Match header a lost race is decided again on the new state (so two racing votes each count exactly
/// once, and a vote after the quorum is refused); with If-Match the caller asked for exactly that version.
/// </summary>
public static class AccessRequestStream
{
    // A lost race on the request's own stream is rare (a few members voting at once); on another module's
    // stream (a dataset's budget ledger, shared by every request on the dataset) it is common under load.
    private const int Attempts = 5;
    private const int SharedStreamAttempts = 64;

    public static async Task<AccessRequest> LoadAsync(IEventStore store, Guid id, CancellationToken ct)
    {
        var events = await store.FetchStreamAsync(id, ct);
        var request = AccessRequest.Rebuild(events.Select(e => e.Data).OfType<object>())
            ?? throw new RequestRefusedException(RequestErrors.RequestNotFound(id));
        return request with { Version = events[^1].StreamVersion };
    }

    internal static async Task<AccessRequestDetails> DecideAsync(
        HttpContext http, Guid id, Func<AccessRequest, WorkflowDefinition, Actor, DateTimeOffset, IReadOnlyList<object>> decide, CancellationToken ct)
    {
        var services = http.RequestServices;
        var store = services.GetRequiredService<IEventStore>();
        var workflows = services.GetRequiredService<WorkflowCatalog>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var actor = http.ToActor();
        var ifMatch = IfMatch(http);
        var hooks = services.GetServices<IAccessRequestDecisionHook>().ToList();
        for (var attempt = 1; ; attempt++)
        {
            var request = await LoadAsync(store, id, ct);
            // Before any other refusal: a 403 or 409 would reveal that the request exists and its state (issue 15, row 7).
            if (!AccessRequestQueries.MaySee(actor, request.RequesterId)) throw new RequestRefusedException(RequestErrors.RequestNotFound(id));
            if (ifMatch is { } expected && expected != request.Version)
                throw new RequestRefusedException(RequestErrors.StaleVersion(expected, request.Version, request.State));
            var events = decide(request, workflows.Get(request.Workflow), actor, now);
            try
            {
                await using var session = store.OpenSession(http.GetEventMetadata(ActingRole(actor, events)));
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
        var details = await store.LoadAsync<AccessRequestDetails>(id, ct) ?? throw new RequestRefusedException(RequestErrors.RequestNotFound(id));
        http.Response.Headers.ETag = $"\"{details.Version}\"";
        return details;
    }

    internal static Actor ToActor(this HttpContext http)
    {
        var actor = http.GetActor();
        return new Actor(actor.Id, actor.Roles);
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

    private static long? IfMatch(HttpContext http)
    {
        var value = http.Request.Headers.IfMatch.ToString().Trim().Trim('"');
        if (value.Length == 0) return null;
        return long.TryParse(value, out var v)
            ? v
            : throw new ValidationException([new FluentValidation.Results.ValidationFailure("If-Match", "If-Match must be the request's version (its ETag).")]);
    }
}
