using ReleaseGateway.Requests.Committees;
using ReleaseGateway.Requests.Workflows;
using FluentValidation;
using ReleaseGateway.Requests.Validation;

namespace ReleaseGateway.Requests.AccessRequests.RequestChanges;

public sealed record RequestChanges(Guid RequestId, string Reason, Actor Actor, DateTimeOffset Now);

public sealed class RequestChangesValidator : AbstractValidator<RequestChanges>
{
    public RequestChangesValidator() => RuleFor(c => c.Reason).NotEmpty().WithMessage("Say what must change; the researcher reads it.")
        .MaximumLength(4000).WithMessage("The reason may be at most 4000 characters.").IsPlainText(multiLine: true);
}

public static class RequestChangesDecider
{
    public static AccessRequestChangesRequested Handle(AccessRequest request, RequestChanges command, WorkflowDefinition definition, RequestCommittee? committee = null)
    {
        new RequestChangesValidator().ValidateAndThrow(command);
        var step = new AccessRequestWorkflow(definition, request, committee).RequestChanges(command.Actor);
        return new AccessRequestChangesRequested(request.Id, step.To, command.Reason, command.Actor.Id, command.Now);
    }
}
