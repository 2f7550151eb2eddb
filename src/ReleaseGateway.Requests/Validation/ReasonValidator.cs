using FluentValidation;

namespace ReleaseGateway.Requests.Validation;

/// <summary>An optional free-text reason given with a decision (a sign-off, a revocation): at most 4000 characters of plain text.</summary>
public sealed class ReasonValidator : AbstractValidator<string>
{
    public const int MaxLength = 4000;

    public ReasonValidator() =>
        RuleFor(reason => reason).MaximumLength(MaxLength).WithMessage($"The reason may be at most {MaxLength} characters.")
            .IsPlainText(multiLine: true).OverridePropertyName("Reason");
}
