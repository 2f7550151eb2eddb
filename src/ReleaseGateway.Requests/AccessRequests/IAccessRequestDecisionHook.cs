using ReleaseGateway.EventStore;

namespace ReleaseGateway.Requests.AccessRequests;

/// <summary>
/// Lets another module take part in a request's decision: it sees the events about to be appended and may
/// stage events on other streams in the same session (they commit atomically with the decision) or refuse
/// by throwing <see cref="RequestRefusedException"/>. The release pipeline reserves privacy budget on
/// approval this way, so an approval and its reservation can never be recorded one without the other.
/// A <see cref="StreamVersionConflictException"/> on any staged stream makes the caller decide again.
/// </summary>
public interface IAccessRequestDecisionHook
{
    Task StageAsync(IEventSession session, AccessRequest request, IReadOnlyList<object> decided, Actor actor, DateTimeOffset now, CancellationToken ct);
}
