using ReleaseGateway.Requests.Workflows;
using FluentValidation;
using ReleaseGateway.Requests.AccessRequests.SubmitAccessRequest;
using ReleaseGateway.Requests.Committees;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Policies;

namespace ReleaseGateway.Requests.AccessRequests.ResubmitAccessRequest;

public sealed record ResubmitAccessRequest(Guid RequestId, AccessRequestTerms Terms, Actor Actor, DateTimeOffset Now);

public static class ResubmitAccessRequestDecider
{
    public static AccessRequestResubmitted Handle(
        AccessRequest request, ResubmitAccessRequest command, WorkflowDefinition definition, DatasetDetails dataset, DatasetPolicy policy,
        NoiseScaleBound? noiseScale = null, RequestCommittee? committee = null)
    {
        var step = new AccessRequestWorkflow(definition, request, committee).Resubmit(command.Actor);
        new AccessRequestTermsValidator(dataset, policy, noiseScale).ValidateAndThrow(command.Terms);
        var consent = SubmitAccessRequestDecider.CheckConsent(dataset, command.Terms, command.Now);
        return new AccessRequestResubmitted(request.Id, step.To, command.Terms, command.Actor.Id, command.Now, consent);
    }
}
