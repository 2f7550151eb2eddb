using FluentValidation;
using ReleaseGateway.Datasets.Generators;

namespace ReleaseGateway.Requests.Policies;

/// <summary>A policy the gateway can enforce. Property names are the YAML keys so messages point at the file.</summary>
/// <remarks>The gates and shadow-model sections are checked by the evaluation module's loader, which owns their ranges.</remarks>
public sealed class DatasetPolicyValidator : AbstractValidator<DatasetPolicy>
{
    public DatasetPolicyValidator(IReadOnlySet<string> knownWorkflows, IReadOnlyDictionary<string, IReadOnlySet<string>>? optionalStepsByWorkflow = null,
        NoiseScaleBound? noiseScale = null)
    {
        RuleFor(p => p.Epsilon)
            .Must(e => e > 0 && e <= 100)
            .WithMessage("budget.epsilon must be greater than 0 and at most 100 (was {PropertyValue})")
            .OverridePropertyName("budget.epsilon");
        RuleFor(p => p.Delta)
            .Must(d => d > 0 && d <= 1e-4)
            .WithMessage("budget.delta must be greater than 0 and at most 1e-4 (was {PropertyValue})")
            .OverridePropertyName("budget.delta");
        RuleFor(p => p.MaxEpsilonPerRelease)
            .GreaterThan(0).WithMessage("maxEpsilonPerRelease must be greater than 0 (was {PropertyValue})")
            .LessThanOrEqualTo(p => p.Epsilon).WithMessage(p => $"maxEpsilonPerRelease ({p.MaxEpsilonPerRelease}) must not exceed budget.epsilon ({p.Epsilon})")
            .OverridePropertyName("maxEpsilonPerRelease");
        RuleFor(p => p.MinEpsilonPerRelease)
            .GreaterThan(0).WithMessage("minEpsilonPerRelease must be greater than 0 (was {PropertyValue})")
            .LessThanOrEqualTo(p => p.MaxEpsilonPerRelease).WithMessage(p => $"minEpsilonPerRelease ({p.MinEpsilonPerRelease}) must not exceed maxEpsilonPerRelease ({p.MaxEpsilonPerRelease})")
            .Must((p, min) => EpsilonRange.Realisable(noiseScale, min, p.Delta, EpsilonRange.ReferenceColumns))
            .WithMessage(p => $"minEpsilonPerRelease ({p.MinEpsilonPerRelease}) is below what the mechanisms can realise for a table of {EpsilonRange.ReferenceColumns} columns " +
                $"at budget.delta {p.Delta}: the noise would exceed the discrete Gaussian's largest σ ({EpsilonRange.MaxSigma})")
            .OverridePropertyName("minEpsilonPerRelease");
        RuleFor(p => p.EvaluationSampleRows)
            .InclusiveBetween(100, 10_000_000).WithMessage("evaluationSampleRows must be between 100 and 10000000 (was {PropertyValue})")
            .OverridePropertyName("evaluationSampleRows");
        RuleFor(p => p.CloseOut)
            .Must(CloseOutRules.All.Contains).WithMessage($"closeOut must be one of {string.Join(", ", CloseOutRules.All)} (was {{PropertyValue}})")
            .OverridePropertyName("closeOut");
        RuleFor(p => p.MinSourceRows)
            .InclusiveBetween(1, 10_000_000).WithMessage("minSourceRows must be between 1 and 10000000 (was {PropertyValue})")
            .OverridePropertyName("minSourceRows");
        RuleFor(p => p.MaxReleases)
            .InclusiveBetween(1, 1000).WithMessage("maxReleases must be between 1 and 1000 (was {PropertyValue})")
            .OverridePropertyName("maxReleases");
        RuleFor(p => p.MaxRowsPerRelease)
            .InclusiveBetween(1, 10_000_000).WithMessage("maxRowsPerRelease must be between 1 and 10000000 (was {PropertyValue})")
            .OverridePropertyName("maxRowsPerRelease");
        RuleFor(p => p.AllowedGenerators)
            .NotEmpty().WithMessage("allowedGenerators must list at least one generator")
            .OverridePropertyName("allowedGenerators");
        RuleForEach(p => p.AllowedGenerators)
            .Must(GeneratorCatalog.IsKnown)
            .WithMessage((_, g) => $"allowedGenerators names unknown generator '{g}' (known: {string.Join(", ", GeneratorCatalog.Names)})")
            .OverridePropertyName("allowedGenerators");
        RuleFor(p => p.Workflow)
            .Must(knownWorkflows.Contains)
            .WithMessage(p => $"workflow '{p.Workflow}' is not defined under workflows/ (defined: {string.Join(", ", knownWorkflows.Order())})")
            .OverridePropertyName("workflow");
        RuleForEach(p => p.OptionalSteps)
            .Must((p, step) => optionalStepsByWorkflow is null || !optionalStepsByWorkflow.TryGetValue(p.Workflow, out var steps) || steps.Contains(step))
            .WithMessage((p, step) => $"optionalSteps names '{step}', which is not an optional step of workflow '{p.Workflow}'" +
                (optionalStepsByWorkflow?.GetValueOrDefault(p.Workflow) is { Count: > 0 } steps ? $" (optional steps: {string.Join(", ", steps.Order())})" : " (it has none)"))
            .OverridePropertyName("optionalSteps");
        RuleFor(p => p.PrivacyUnit.MaxRowsPerPerson)
            .InclusiveBetween(1, 1000).WithMessage("privacyUnit.maxRowsPerPerson must be between 1 and 1000 (was {PropertyValue})")
            .OverridePropertyName("privacyUnit.maxRowsPerPerson");
        RuleFor(p => p.ReleaseChecksEpsilon)
            .Must(e => e > 0 && e <= 1).WithMessage("releaseChecks.epsilon must be greater than 0 and at most 1 (was {PropertyValue})")
            .OverridePropertyName("releaseChecks.epsilon");
        RuleFor(p => p.ReleaseExpiryDays)
            .InclusiveBetween(1, 3650).WithMessage("releaseExpiryDays must be between 1 and 3650 (was {PropertyValue})")
            .OverridePropertyName("releaseExpiryDays");
    }
}
