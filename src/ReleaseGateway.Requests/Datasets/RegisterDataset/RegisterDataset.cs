using ReleaseGateway.Requests.Consent;
using FluentValidation;
using ReleaseGateway.Requests.Validation;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Requests.Workflows;
using ReleaseGateway.Datasets.Schema;

namespace ReleaseGateway.Requests.Datasets.RegisterDataset;

/// <param name="Name">Lower-case slug; <c>policies/NAME.yaml</c>, when present, is the dataset's policy.</param>
/// <param name="SchemaJson">Schema in the synthesis engine's format (or the private-pgm <c>{"col": k}</c> shorthand).</param>
/// <param name="CommitteeId">The committee that decides its requests, already looked up by name (null: the default committee).</param>
public sealed record RegisterDataset(Guid DatasetId, string Name, string Description, string Owner, string SchemaJson, Actor Actor, DateTimeOffset Now,
    Guid? CommitteeId = null, IReadOnlyList<ConsentTerm>? Consent = null);

public sealed class RegisterDatasetValidator : AbstractValidator<RegisterDataset>
{
    public RegisterDatasetValidator()
    {
        const string name = "Name must be 1-63 lower-case letters, digits or dashes, starting with a letter or digit.";
        RuleFor(c => c.Name).Cascade(CascadeMode.Stop).NotEmpty().WithMessage(name).Matches("^[a-z0-9][a-z0-9-]{0,62}$").WithMessage(name);
        RuleFor(c => c.Description).NotEmpty().WithMessage("Describe the dataset: what it holds and where it comes from.")
            .MaximumLength(4000).WithMessage("The description may be at most 4000 characters.").IsPlainText(multiLine: true);
        RuleFor(c => c.Owner).NotEmpty().WithMessage("Name the dataset's owner.")
            .MaximumLength(200).WithMessage("The owner may be at most 200 characters.").IsPlainText();
        RuleFor(c => c.SchemaJson).NotEmpty().WithMessage("Upload the dataset's schema (JSON).")
            .MaximumLength(1_000_000).WithMessage("The schema may be at most 1000000 characters.");
        RuleFor(c => c.Consent!).SetValidator(new ConsentTermsValidator(DuoTerms.Shipped)).When(c => c.Consent is not null);
    }
}

public static class RegisterDatasetDecider
{
    public static DatasetRegistered Handle(RegisterDataset command, PolicyCatalog policies)
    {
        if (!command.Actor.IsIn(WorkflowRoles.DataSteward))
            throw new RequestRefusedException(RequestErrors.MissingRole("register a dataset", WorkflowRoles.DataSteward, "new"));
        new RegisterDatasetValidator().ValidateAndThrow(command);
        DatasetSchema schema;
        try
        {
            schema = DatasetSchema.Parse(command.SchemaJson);
        }
        catch (SchemaException e)
        {
            throw new RequestRefusedException(RequestErrors.SchemaInvalid(e.Message));
        }
        // Column names and categories are shown on every page and in every release: plain text only, like any text field.
        foreach (var (path, text) in schema.Columns.SelectMany(c => c.Categories?.Select(k => ($"column '{c.Name}' category", k)).Prepend(("column name", c.Name))
                     ?? [("column name", c.Name)]))
            if (PlainText.FirstForbidden(text, multiLine: false) is var (character, index))
                throw new RequestRefusedException(RequestErrors.SchemaInvalid(PlainText.Explain($"The schema's {path}", character, index, multiLine: false)));
        var policy = policies.For(command.Name);
        RequirePersonKeyIfPolicySays(command.Name, schema, policy);
        return new DatasetRegistered(command.DatasetId, command.Name, command.Description, command.Owner, command.SchemaJson,
            policy.Name, command.Actor.Id, command.Now, command.CommitteeId, command.Consent);
    }

    /// <summary>A policy may make the person the unit; a dataset without a person key then cannot be registered or uploaded.</summary>
    public static void RequirePersonKeyIfPolicySays(string datasetName, DatasetSchema schema, DatasetPolicy policy)
    {
        if (policy.PrivacyUnit.RequirePersonKey && schema.PersonKey is null)
            throw new RequestRefusedException(RequestErrors.PersonKeyRequired(datasetName, policy.Name));
    }
}
