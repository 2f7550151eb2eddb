using ReleaseGateway.Requests.Workflows;
namespace ReleaseGateway.Requests.AccessRequests.DeclareConflict;

public sealed record DeclareConflict(Guid RequestId, Actor Actor, DateTimeOffset Now);

public static class DeclareConflictDecider
{
    /// <summary>Recuses the member from this request for good; the quorum is then counted without them.</summary>
    public static ConflictOfInterestDeclared Handle(AccessRequest request, DeclareConflict command, WorkflowDefinition definition)
    {
        new AccessRequestWorkflow(definition, request).DeclareConflict(command.Actor);
        return new ConflictOfInterestDeclared(request.Id, command.Actor.Id, command.Now);
    }
}
