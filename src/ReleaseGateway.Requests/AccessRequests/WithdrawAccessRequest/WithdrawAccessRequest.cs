using ReleaseGateway.Requests.Committees;
using ReleaseGateway.Requests.Workflows;
namespace ReleaseGateway.Requests.AccessRequests.WithdrawAccessRequest;

public sealed record WithdrawAccessRequest(Guid RequestId, Actor Actor, DateTimeOffset Now);

public static class WithdrawAccessRequestDecider
{
    public static AccessRequestWithdrawn Handle(AccessRequest request, WithdrawAccessRequest command, WorkflowDefinition definition, RequestCommittee? committee = null)
    {
        var step = new AccessRequestWorkflow(definition, request, committee).Withdraw(command.Actor);
        return new AccessRequestWithdrawn(request.Id, step.From, step.To, command.Actor.Id, command.Now);
    }
}
