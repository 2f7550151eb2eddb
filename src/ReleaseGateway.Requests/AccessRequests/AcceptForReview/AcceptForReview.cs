using ReleaseGateway.Requests.Workflows;
namespace ReleaseGateway.Requests.AccessRequests.AcceptForReview;

public sealed record AcceptForReview(Guid RequestId, Actor Actor, DateTimeOffset Now);

public static class AcceptForReviewDecider
{
    public static AccessRequestAcceptedForReview Handle(AccessRequest request, AcceptForReview command, WorkflowDefinition definition)
    {
        var step = new AccessRequestWorkflow(definition, request).AcceptForReview(command.Actor);
        return new AccessRequestAcceptedForReview(request.Id, step.To, command.Actor.Id, command.Now);
    }
}
