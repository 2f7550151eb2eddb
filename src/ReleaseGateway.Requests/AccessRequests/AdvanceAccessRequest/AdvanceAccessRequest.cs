using ReleaseGateway.Requests.Committees;
using ReleaseGateway.Requests.Workflows;
namespace ReleaseGateway.Requests.AccessRequests.AdvanceAccessRequest;

/// <summary>A release-pipeline step (issue 7): start-generation, complete-generation, pass-gates, block, sign-off, publish, revoke, expire.</summary>
public sealed record AdvanceAccessRequest(Guid RequestId, string Trigger, string Reason, Actor Actor, DateTimeOffset Now);

public static class AdvanceAccessRequestDecider
{
    public static AccessRequestAdvanced Handle(AccessRequest request, AdvanceAccessRequest command, WorkflowDefinition definition, RequestCommittee? committee = null)
    {
        var step = new AccessRequestWorkflow(definition, request, committee).Advance(command.Trigger, command.Actor);
        return new AccessRequestAdvanced(request.Id, step.Trigger, step.From, step.To, command.Reason, command.Actor.Id, command.Now);
    }
}

/// <summary>
/// In-process entry for the release pipeline's jobs: load, decide, append with the expected version.
/// A refusal throws <see cref="RequestRefusedException"/>; a concurrent change throws
/// <see cref="ReleaseGateway.EventStore.StreamVersionConflictException"/> and nothing is written.
/// </summary>
public static class AdvanceAccessRequestHandler
{
    public static async Task<AccessRequestAdvanced> HandleAsync(
        ReleaseGateway.EventStore.IEventStore store, WorkflowCatalog workflows, AdvanceAccessRequest command,
        ReleaseGateway.EventStore.EventMetadata metadata, CancellationToken ct = default)
    {
        var request = await AccessRequestStream.LoadAsync(store, command.RequestId, ct);
        var advanced = AdvanceAccessRequestDecider.Handle(request, command, workflows.Get(request.Workflow));
        await using var session = store.OpenSession(metadata);
        Stage(session, request, advanced);
        await session.SaveChangesAsync(ct);
        return advanced;
    }

    /// <summary>
    /// Stages the step in <paramref name="session"/> at the version it was decided on, so it commits atomically with
    /// the caller's own events (a budget charge, a release's record); a concurrent change fails the whole session.
    /// </summary>
    public static void Stage(ReleaseGateway.EventStore.IEventSession session, AccessRequest request, AccessRequestAdvanced advanced) =>
        session.Append(request.Id, request.Version, advanced);
}
