using ReleaseGateway.Requests.Committees;
using ReleaseGateway.Requests.Workflows;
namespace ReleaseGateway.Requests.AccessRequests.AcceptForReview;

public sealed record AcceptForReview(Guid RequestId, Actor Actor, DateTimeOffset Now);

public static class AcceptForReviewDecider
{
    public static AccessRequestAcceptedForReview Handle(AccessRequest request, AcceptForReview command, WorkflowDefinition definition, RequestCommittee? committee = null)
    {
        var step = new AccessRequestWorkflow(definition, request, committee).AcceptForReview(command.Actor);
        return new AccessRequestAcceptedForReview(request.Id, step.To, command.Actor.Id, command.Now);
    }
}
