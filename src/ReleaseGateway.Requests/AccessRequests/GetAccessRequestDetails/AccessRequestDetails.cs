using ReleaseGateway.Requests.Consent;
using System.Collections.Immutable;
using ReleaseGateway.EventStore;

namespace ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;

/// <summary>
/// One line of a request's history as shown to its readers: what happened, who did it (an id), when, and the state
/// after; for a workflow step (<see cref="AccessRequestAdvanced"/>) also the step's trigger; <c>ByRole</c> is the role the
/// actor acted in (from the event's metadata), which is all a requester is shown of anyone else.
/// </summary>
public sealed record TimelineEntry(long Version, string Event, string By, DateTimeOffset At, string State, string? Detail, string? Trigger = null,
    string? ByRole = null);

/// <summary>Read model of an access request: its terms, current state and round of votes, and its timeline.</summary>
public sealed record AccessRequestDetails(
    Guid Id,
    Guid DatasetId,
    string Workflow,
    IReadOnlyList<string> OptionalSteps,
    string RequesterId,
    string State,
    AccessRequestTerms Terms,
    IReadOnlyDictionary<string, string> CurrentVotes,
    IReadOnlyList<string> Recused,
    IReadOnlyList<TimelineEntry> Timeline,
    DateTimeOffset SubmittedAt,
    DateTimeOffset UpdatedAt,
    long Version,
    AccessRequestTerms? ProposedTerms = null,
    IReadOnlyList<RequestAct>? Acts = null,
    Guid? CommitteeId = null,
    ConsentCheck? Consent = null,
    string? Policy = null)
{
    /// <summary>The write-side state this read model mirrors, for questions such as "may this member vote?".</summary>
    public AccessRequest ToRequest() => new AccessRequest(Id, DatasetId, Workflow, OptionalSteps, RequesterId, State, Terms,
        CurrentVotes.ToImmutableDictionary(), Recused.ToImmutableHashSet(), Version, ProposedTerms) { Acts = [.. Acts ?? []], CommitteeId = CommitteeId, Policy = Policy };
}

public sealed class AccessRequestDetailsProjection : SingleStreamProjection<AccessRequestDetails>
{
    public override AccessRequestDetails? Apply(AccessRequestDetails? current, StoredEvent @event)
    {
        if (@event.Data is not { } data) return current;
        var request = AccessRequest.Evolve(current?.ToRequest(), data);
        if (request is null) return current;
        var entry = new TimelineEntry(@event.StreamVersion, @event.EventType, @event.Metadata.ActorId, @event.Timestamp, request.State, Detail(data),
            (data as AccessRequestAdvanced)?.Trigger, @event.Metadata.ActorRole);
        return new AccessRequestDetails(request.Id, request.DatasetId, request.Workflow, request.OptionalSteps, request.RequesterId, request.State, request.Terms,
            new Dictionary<string, string>(request.Votes), request.Recused.Order(StringComparer.Ordinal).ToList(),
            [.. current?.Timeline ?? [], entry], current?.SubmittedAt ?? @event.Timestamp, @event.Timestamp, @event.StreamVersion, request.ProposedTerms,
            request.Acts, request.CommitteeId, data switch
            {
                AccessRequestSubmitted s => s.Consent,
                AccessRequestResubmitted r => r.Consent,
                _ => current?.Consent,
            }, request.Policy);
    }

    private static string? Detail(object data) => data switch
    {
        CommitteeVoteCast { Terms: { } t } v => $"{v.Decision} a regeneration with ε = {t.Epsilon}, {t.Rows} rows, generator {t.Generator ?? "default"}: {v.Reason}",
        CommitteeVoteCast v => $"{v.Decision}: {v.Reason}",
        AccessRequestChangesRequested c => c.Reason,
        AccessRequestAdvanced a => string.IsNullOrEmpty(a.Reason) ? a.Trigger : $"{a.Trigger}: {a.Reason}",
        _ => null,
    };
}
