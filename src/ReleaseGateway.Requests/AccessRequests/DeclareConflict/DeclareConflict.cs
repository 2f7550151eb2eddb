using ReleaseGateway.Requests.Committees;
using ReleaseGateway.Requests.Workflows;
namespace ReleaseGateway.Requests.AccessRequests.DeclareConflict;

public sealed record DeclareConflict(Guid RequestId, Actor Actor, DateTimeOffset Now);

public static class DeclareConflictDecider
{
    /// <summary>Recuses the member from this request for good; the quorum is then counted without them.</summary>
    public static ConflictOfInterestDeclared Handle(AccessRequest request, DeclareConflict command, WorkflowDefinition definition, RequestCommittee? committee = null)
    {
        new AccessRequestWorkflow(definition, request, committee).DeclareConflict(command.Actor);
        return new ConflictOfInterestDeclared(request.Id, command.Actor.Id, command.Now);
    }
}
