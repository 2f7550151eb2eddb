using ReleaseGateway.Requests.Consent;
using FluentValidation;
using ReleaseGateway.Datasets.Generators;
using ReleaseGateway.Requests.Validation;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Requests.Committees;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Requests.AccessRequests.SubmitAccessRequest;

public sealed record SubmitAccessRequest(Guid RequestId, Guid DatasetId, AccessRequestTerms Terms, Actor Actor, DateTimeOffset Now);

/// <summary>
/// The terms must fit the dataset (a subset of its columns) and its policy (ε, rows, generator, duration); with
/// the generators' noise bound, ε must also be one they can realise for the columns asked for.
/// </summary>
public sealed class AccessRequestTermsValidator : AbstractValidator<AccessRequestTerms>
{
    public AccessRequestTermsValidator(DatasetDetails dataset, DatasetPolicy policy, NoiseScaleBound? noiseScale = null)
    {
        RuleFor(t => t.Title).NotEmpty().WithMessage("Give the request a title.")
            .MaximumLength(200).WithMessage("The title may be at most 200 characters.").IsPlainText();
        RuleFor(t => t.Purpose).NotEmpty().WithMessage("Describe the purpose: the research question the data will serve.")
            .MaximumLength(4000).WithMessage("The purpose may be at most 4000 characters.").IsPlainText(multiLine: true);
        RuleFor(t => t.Justification).NotEmpty().WithMessage("Justify the request: why these columns and this much data are needed.")
            .MaximumLength(4000).WithMessage("The justification may be at most 4000 characters.").IsPlainText(multiLine: true);
        RuleFor(t => t.IntendedUse).NotEmpty().WithMessage("Describe the intended use: who will work with the release and what will be published.")
            .MaximumLength(4000).WithMessage("The intended use may be at most 4000 characters.").IsPlainText(multiLine: true);
        RuleFor(t => t.Columns).NotEmpty().WithMessage("Request at least one column.")
            .Must(c => c.Distinct(StringComparer.Ordinal).Count() == c.Count).WithMessage("Each column may be requested once.");
        RuleForEach(t => t.Columns).Must(dataset.SynthesisColumns.Contains)
            .WithMessage((_, c) => $"'{c}' is not a column of dataset '{dataset.Name}' that can be released (columns: {string.Join(", ", dataset.SynthesisColumns)}).");
        // One message for the whole range, so a researcher who asked for too little or too much learns what is allowed.
        var range = $"ε must be from {policy.MinEpsilonPerRelease} to {policy.MaxEpsilonPerRelease} per release under the policy of '{dataset.Name}'";
        RuleFor(t => t.Epsilon).Cascade(CascadeMode.Stop)
            .Must(e => double.IsFinite(e) && e >= policy.MinEpsilonPerRelease && e <= policy.MaxEpsilonPerRelease)
            .WithMessage(t => $"{range} (was {t.Epsilon:R}).")
            .Must((t, e) => EpsilonRange.Realisable(noiseScale, e, policy.Delta, t.Columns.Count))
            .WithMessage(t => $"{range}, and large enough that the noise for {t.Columns.Count} column(s) stays within the largest σ the " +
                $"mechanisms draw ({EpsilonRange.MaxSigma}); ε = {t.Epsilon:R} is too small.")
            // Within the range, the release checks must still leave ε for synthesis; checked last, so one message at a time.
            .Must(e => ReleaseBudgetPlan.LeavesRoomForSynthesis(e, policy.Delta, policy.ReleaseChecksEpsilon))
            .WithMessage(t => $"ε = {t.Epsilon} leaves nothing for synthesis after the release checks' ε = {policy.ReleaseChecksEpsilon} " +
                $"(they cost ρ = ε²/2 of the release's ρ) under the policy of '{dataset.Name}'; ask for a larger ε.");
        var hasPersonKey = DatasetSchema.Parse(dataset.SchemaJson).PersonKey is not null;
        RuleFor(t => t.Generator).Must(g => g is null || GeneratorCatalog.IsKnown(g))
            .WithMessage(t => $"Generator '{t.Generator}' is unknown (known: {string.Join(", ", GeneratorCatalog.Names)}).");
        // A generator without group privacy for k > 1 rows per person (DP-SGD, accounted per example) is refused (ADRs 0024, 0034).
        RuleFor(t => t.Generator).Must(g => !GeneratorCatalog.IsKnown(g) || GeneratorCatalog.Get(g).SupportsPersonLevel || policy.MaxRowsPerUnit(hasPersonKey) == 1)
            .WithMessage(t => $"Generator '{t.Generator}' ({GeneratorCatalog.Get(t.Generator).Title}) protects one row, not a person with up to " +
                $"{policy.PrivacyUnit.MaxRowsPerPerson} rows: choose {PersonLevelGenerators()} for '{dataset.Name}', whose privacy unit is the person.");
        RuleFor(t => t.Rows).InclusiveBetween(1, policy.MaxRowsPerRelease)
            .WithMessage($"Rows must be a whole number from 1 to {policy.MaxRowsPerRelease} under the policy of '{dataset.Name}'.");
        RuleFor(t => t.Generator).Must(g => !GeneratorCatalog.IsKnown(g) || policy.AllowedGenerators.Contains(g!))
            .WithMessage(t => $"Generator '{t.Generator}' is not allowed for '{dataset.Name}' (allowed: {string.Join(", ", policy.AllowedGenerators)}).");
        // No generator means the catalog's default, which the policy must allow too (the pipeline never substitutes another).
        RuleFor(t => t.Generator).Must(g => g is not null || policy.AllowedGenerators.Contains(GeneratorCatalog.Default.Name))
            .WithMessage($"The default generator '{GeneratorCatalog.Default.Name}' is not allowed for '{dataset.Name}': " +
                $"choose one of {string.Join(", ", policy.AllowedGenerators)}.");
        RuleFor(t => t.AccessDays).InclusiveBetween(1, policy.ReleaseExpiryDays)
            .WithMessage($"Access must last from 1 to {policy.ReleaseExpiryDays} days under the policy of '{dataset.Name}'.");

        string PersonLevelGenerators() => GeneratorCatalog.All.Where(g => g.SupportsPersonLevel && policy.AllowedGenerators.Contains(g.Name))
            .Select(g => g.Name).ToList() is { Count: > 0 } names ? string.Join(" or ", names) : "a generator with person-level bounding (the policy allows none)";
    }
}

public static class SubmitAccessRequestDecider
{
    /// <summary>
    /// Opens the request in the initial state of the workflow the dataset's policy names, to be decided by the dataset's
    /// committee (<paramref name="committee"/>; the default committee when omitted), which must be able to reach its quorum.
    /// </summary>
    public static AccessRequestSubmitted Handle(SubmitAccessRequest command, DatasetDetails dataset, DatasetPolicy policy, WorkflowDefinition workflow,
        NoiseScaleBound? noiseScale = null, RequestCommittee? committee = null)
    {
        committee ??= RequestCommittee.Default;
        if (committee.Id != dataset.CommitteeId)
            throw new ArgumentException($"Dataset {dataset.Name} is decided by committee {dataset.CommitteeId?.ToString() ?? "default"}, not {committee.Name}.", nameof(committee));
        if (!command.Actor.IsIn(WorkflowRoles.Researcher))
            throw new RequestRefusedException(RequestErrors.MissingRole("submit", WorkflowRoles.Researcher, "new"));
        if (dataset.IsRetired)
            throw new RequestRefusedException(RequestErrors.DatasetRetired(dataset.Name, "new requests"));
        if (!dataset.SourceUploaded)
            throw new RequestRefusedException(RequestErrors.SourceNotUploaded(dataset.Id));
        new AccessRequestTermsValidator(dataset, policy, noiseScale).ValidateAndThrow(command.Terms);
        var consent = CheckConsent(dataset, command.Terms, command.Now);
        if (!committee.CanReachQuorum(workflow))
            throw new RequestRefusedException(RequestErrors.CommitteeCannotDecide(committee.Name, dataset.Name));
        return new AccessRequestSubmitted(command.RequestId, dataset.Id, workflow.Name,
            policy.OptionalSteps.Where(workflow.OptionalSteps.Contains).ToList(), workflow.InitialState, command.Terms,
            command.Actor.Id, command.Now, committee.Id, consent, policy.Name);
    }

    /// <summary>
    /// Where the dataset carries DUO consent terms, the request must state its use in DUO terms, and that use must fit them
    /// (ADR 0048): refused otherwise with every unmet term's reason. Null where the dataset carries none.
    /// </summary>
    public static ConsentCheck? CheckConsent(DatasetDetails dataset, AccessRequestTerms terms, DateTimeOffset now)
    {
        if (dataset.Consent is not { Count: > 0 } consent) return null;
        if (terms.Use is not { } use)
            throw new ValidationException([new FluentValidation.Results.ValidationFailure("Use",
                $"Dataset '{dataset.Name}' carries consent terms ({string.Join(", ", consent.Select(c => c.Code))}): state the purpose in DUO terms.")]);
        new DataUseValidator(DuoTerms.Shipped).ValidateAndThrow(use);
        var check = ConsentMatcher.Check(DuoTerms.Shipped, consent, use, DateOnly.FromDateTime(now.UtcDateTime), terms.AccessDays);
        if (!check.Compatible)
            throw new RequestRefusedException(RequestErrors.ConsentIncompatible(dataset.Name, string.Join(" ", check.Lines.Where(l => !l.Met).Select(l => l.Reason))));
        return check;
    }
}
