using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReleaseGateway.Requests.Consent;

/// <summary>One DUO term the gateway understands: a permission (what research the data may serve) or a modifier (a condition on it).</summary>
/// <param name="Allows">For a permission: the research purposes (<see cref="DuoTerms.Purposes"/>) it admits.</param>
/// <param name="Parameter">What the term carries: <c>diseases</c> (MONDO ids), <c>regions</c> (ISO 3166-1 alpha-2 codes), <c>until</c> (a date), or none.</param>
/// <param name="Requires">For a modifier: the statement of the request it needs (<see cref="DuoTerms.Requirements"/>).</param>
public sealed record DuoTerm(string Code, string Id, string Label, string Kind, IReadOnlyList<string>? Allows = null, string? Parameter = null,
    string? Requires = null)
{
    public bool IsPermission => Kind == "permission";
}

/// <summary>A research purpose a request states (its DUO code and a label).</summary>
public sealed record DuoPurpose(string Code, string Label);

/// <summary>
/// The DUO terms and the matching table the gateway ships (<c>Consent/duo-terms.json</c>, embedded; nothing is downloaded):
/// which purposes each permission admits and which statement of the request each modifier needs (ADR 0048). The file is
/// data; the requirements it may name are a closed vocabulary of code (<see cref="Requirements"/>), checked on load.
/// </summary>
public sealed class DuoTerms
{
    public static readonly IReadOnlySet<string> Requirements = new HashSet<string>(StringComparer.Ordinal)
        { "nonCommercial", "notForProfit", "ethicsApproval", "region", "willPublish", "endsBy", "geneticStudy", "noMethodsDevelopment" };

    private static readonly Lazy<DuoTerms> Instance = new(() =>
    {
        using var stream = typeof(DuoTerms).Assembly.GetManifestResourceStream("duo-terms.json")
            ?? throw new InvalidOperationException("duo-terms.json is not embedded.");
        return Parse(stream);
    });

    private DuoTerms(string source, IReadOnlyList<DuoPurpose> purposes, IReadOnlyList<DuoTerm> terms)
    {
        Source = source;
        Purposes = purposes;
        Terms = terms;
    }

    /// <summary>The shipped table.</summary>
    public static DuoTerms Shipped => Instance.Value;

    /// <summary>The DUO release the terms were taken from.</summary>
    public string Source { get; }

    public IReadOnlyList<DuoPurpose> Purposes { get; }

    public IReadOnlyList<DuoTerm> Terms { get; }

    public DuoTerm? Find(string code) => Terms.FirstOrDefault(t => t.Code == code);

    /// <summary>Reads and checks a table: unique codes, permissions that admit only known purposes, modifiers with a known requirement.</summary>
    public static DuoTerms Parse(Stream json)
    {
        var file = JsonSerializer.Deserialize<TermsFile>(json, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })
            ?? throw new InvalidDataException("The DUO table is empty.");
        var purposes = file.Purposes ?? [];
        var terms = file.Terms ?? [];
        var problems = new List<string>();
        foreach (var dup in terms.GroupBy(t => t.Code).Where(g => g.Count() > 1)) problems.Add($"term {dup.Key} is defined twice");
        foreach (var t in terms)
        {
            if (t.IsPermission && (t.Allows is not { Count: > 0 } || t.Allows.Any(a => purposes.All(p => p.Code != a))))
                problems.Add($"permission {t.Code} must admit known purposes");
            if (!t.IsPermission && (t.Kind != "modifier" || t.Requires is null || !Requirements.Contains(t.Requires)))
                problems.Add($"modifier {t.Code} must name a known requirement");
            if (t.Parameter is not (null or "diseases" or "regions" or "until")) problems.Add($"term {t.Code} has an unknown parameter {t.Parameter}");
        }
        if (problems.Count > 0) throw new InvalidDataException("Invalid DUO table: " + string.Join("; ", problems) + ".");
        return new DuoTerms(file.Source ?? "", purposes, terms);
    }

    private sealed record TermsFile(string? Source, [property: JsonPropertyName("purposes")] List<DuoPurpose>? Purposes, List<DuoTerm>? Terms);
}
