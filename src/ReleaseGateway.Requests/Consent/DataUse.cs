using System.Text.RegularExpressions;
using FluentValidation;

namespace ReleaseGateway.Requests.Consent;

/// <summary>One consent term of a dataset: a DUO code and, where the term carries one, its parameter.</summary>
/// <param name="Diseases">For DS: MONDO ids of the diseases the data may be used to research.</param>
/// <param name="Regions">For GS: ISO 3166-1 alpha-2 codes of where the data may be used.</param>
/// <param name="Until">For TS: the last day the data may be used.</param>
public sealed record ConsentTerm(string Code, IReadOnlyList<string>? Diseases = null, IReadOnlyList<string>? Regions = null, DateOnly? Until = null);

/// <summary>What a request states about its use, in DUO terms (docs/committees.md).</summary>
/// <param name="Purpose">One of the table's purposes: GRU, HMB, DS (with <paramref name="Diseases"/>) or POA.</param>
/// <param name="Region">ISO 3166-1 alpha-2 code of the country the data will be used in.</param>
public sealed record DataUse(string Purpose, IReadOnlyList<string>? Diseases = null, bool Commercial = false, bool NotForProfit = false,
    bool EthicsApproval = false, string? Region = null, bool WillPublish = false, bool GeneticStudy = false, bool MethodsDevelopment = false);

/// <summary>One line of a compatibility check: a dataset's term, whether the request meets it, and why.</summary>
public sealed record ConsentCheckLine(string Code, string Id, bool Met, string Reason);

/// <summary>The request's use checked against the dataset's consent terms, as the committee sees it.</summary>
public sealed record ConsentCheck(bool Compatible, IReadOnlyList<ConsentCheckLine> Lines, string Source);

internal static partial class ConsentPatterns
{
    [GeneratedRegex("^MONDO:[0-9]{7}$")]
    public static partial Regex Mondo();

    [GeneratedRegex("^[A-Z]{2}$")]
    public static partial Regex Country();
}

/// <summary>A dataset's consent terms: exactly one permission, known modifiers once each, each with the parameter it carries.</summary>
public sealed class ConsentTermsValidator : AbstractValidator<IReadOnlyList<ConsentTerm>>
{
    public ConsentTermsValidator(DuoTerms table)
    {
        RuleForEach(t => t).Must(t => table.Find(t.Code) is not null).OverridePropertyName("Consent")
            .WithMessage((_, t) => $"'{t.Code}' is not a DUO term the gateway knows (known: {string.Join(", ", table.Terms.Select(x => x.Code))}).");
        RuleFor(t => t).Must(t => t.Count(x => table.Find(x.Code)?.IsPermission == true) == 1).OverridePropertyName("Consent")
            .WithMessage($"Give exactly one permission ({string.Join(", ", table.Terms.Where(x => x.IsPermission).Select(x => x.Code))}).");
        RuleFor(t => t).Must(t => t.Select(x => x.Code).Distinct().Count() == t.Count).OverridePropertyName("Consent")
            .WithMessage("Each term may be given once.");
        RuleForEach(t => t).Must(t => table.Find(t.Code)?.Parameter != "diseases" || t.Diseases is { Count: > 0 } d && d.All(ConsentPatterns.Mondo().IsMatch))
            .OverridePropertyName("Consent").WithMessage((_, t) => $"{t.Code} needs the diseases as MONDO ids (MONDO:0000000).");
        RuleForEach(t => t).Must(t => table.Find(t.Code)?.Parameter != "regions" || t.Regions is { Count: > 0 } r && r.All(ConsentPatterns.Country().IsMatch))
            .OverridePropertyName("Consent").WithMessage((_, t) => $"{t.Code} needs the regions as ISO 3166-1 alpha-2 codes (e.g. DE, FR).");
        RuleForEach(t => t).Must(t => table.Find(t.Code)?.Parameter != "until" || t.Until is not null)
            .OverridePropertyName("Consent").WithMessage((_, t) => $"{t.Code} needs the last day of use (until).");
    }
}

/// <summary>A request's statement of use: a known purpose, and diseases exactly when the purpose is DS.</summary>
public sealed class DataUseValidator : AbstractValidator<DataUse>
{
    public DataUseValidator(DuoTerms table)
    {
        RuleFor(u => u.Purpose).Must(p => table.Purposes.Any(x => x.Code == p)).OverridePropertyName("Use.Purpose")
            .WithMessage($"The purpose must be one of {string.Join(", ", table.Purposes.Select(p => p.Code))}.");
        RuleFor(u => u.Diseases).Must(d => d is { Count: > 0 } && d.All(ConsentPatterns.Mondo().IsMatch)).When(u => u.Purpose == "DS")
            .OverridePropertyName("Use.Diseases").WithMessage("Disease-specific research names its diseases as MONDO ids (MONDO:0000000).");
        RuleFor(u => u.Region).Must(r => r is null || ConsentPatterns.Country().IsMatch(r)).OverridePropertyName("Use.Region")
            .WithMessage("The region is an ISO 3166-1 alpha-2 code (e.g. DE).");
    }
}
