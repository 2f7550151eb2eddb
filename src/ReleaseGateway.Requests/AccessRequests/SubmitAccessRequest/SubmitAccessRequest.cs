using FluentValidation;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Requests.AccessRequests.SubmitAccessRequest;

public sealed record SubmitAccessRequest(Guid RequestId, Guid DatasetId, AccessRequestTerms Terms, Actor Actor, DateTimeOffset Now);

/// <summary>The terms must fit the dataset (a subset of its columns) and its policy (ε, rows, generator, duration).</summary>
public sealed class AccessRequestTermsValidator : AbstractValidator<AccessRequestTerms>
{
    public AccessRequestTermsValidator(DatasetDetails dataset, DatasetPolicy policy)
    {
        RuleFor(t => t.Title).NotEmpty().MaximumLength(200);
        RuleFor(t => t.Purpose).NotEmpty().MaximumLength(4000);
        RuleFor(t => t.Justification).NotEmpty().MaximumLength(4000);
        RuleFor(t => t.IntendedUse).NotEmpty().MaximumLength(4000);
        RuleFor(t => t.Columns).NotEmpty().WithMessage("Request at least one column.")
            .Must(c => c.Distinct(StringComparer.Ordinal).Count() == c.Count).WithMessage("Each column may be requested once.");
        RuleForEach(t => t.Columns).Must(dataset.SynthesisColumns.Contains)
            .WithMessage((_, c) => $"'{c}' is not a column of dataset '{dataset.Name}' that can be released (columns: {string.Join(", ", dataset.SynthesisColumns)}).");
        RuleFor(t => t.Epsilon).GreaterThan(0)
            .LessThanOrEqualTo(policy.MaxEpsilonPerRelease)
            .WithMessage($"ε may be at most {policy.MaxEpsilonPerRelease} per release under the policy of '{dataset.Name}'.");
        RuleFor(t => t.Rows).InclusiveBetween(1, policy.MaxRowsPerRelease);
        RuleFor(t => t.Generator).Must(g => g is null || policy.AllowedGenerators.Contains(g))
            .WithMessage(t => $"Generator '{t.Generator}' is not allowed for '{dataset.Name}' (allowed: {string.Join(", ", policy.AllowedGenerators)}).");
        RuleFor(t => t.AccessDays).InclusiveBetween(1, policy.ReleaseExpiryDays);
    }
}

public static class SubmitAccessRequestDecider
{
    /// <summary>Opens the request in the initial state of the workflow the dataset's policy names.</summary>
    public static AccessRequestSubmitted Handle(SubmitAccessRequest command, DatasetDetails dataset, DatasetPolicy policy, WorkflowDefinition workflow)
    {
        if (!command.Actor.IsIn(WorkflowRoles.Researcher))
            throw new RequestRefusedException(RequestErrors.MissingRole("submit", WorkflowRoles.Researcher, "new"));
        if (!dataset.SourceUploaded)
            throw new RequestRefusedException(RequestErrors.SourceNotUploaded(dataset.Id));
        new AccessRequestTermsValidator(dataset, policy).ValidateAndThrow(command.Terms);
        return new AccessRequestSubmitted(command.RequestId, dataset.Id, workflow.Name,
            policy.OptionalSteps.Where(workflow.OptionalSteps.Contains).ToList(), workflow.InitialState, command.Terms,
            command.Actor.Id, command.Now);
    }
}
