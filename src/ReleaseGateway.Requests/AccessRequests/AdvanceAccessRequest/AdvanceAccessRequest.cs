using ReleaseGateway.Requests.Workflows;
namespace ReleaseGateway.Requests.AccessRequests.AdvanceAccessRequest;

/// <summary>A release-pipeline step (issue 7): start-generation, complete-generation, pass-gates, block, sign-off, publish, revoke, expire.</summary>
public sealed record AdvanceAccessRequest(Guid RequestId, string Trigger, string Reason, Actor Actor, DateTimeOffset Now);

public static class AdvanceAccessRequestDecider
{
    public static AccessRequestAdvanced Handle(AccessRequest request, AdvanceAccessRequest command, WorkflowDefinition definition)
    {
        var step = new AccessRequestWorkflow(definition, request).Advance(command.Trigger, command.Actor);
        return new AccessRequestAdvanced(request.Id, step.Trigger, step.From, step.To, command.Reason, command.Actor.Id, command.Now);
    }
}
