namespace ReleaseGateway.Requests.Consent;

/// <summary>
/// Whether a request's stated use fits a dataset's DUO consent terms (ADR 0048): the permission must admit the purpose (a DS
/// permission only for research on diseases it names: exact MONDO ids, no hierarchy), and each modifier's requirement must be
/// stated. Pure: the table, the terms, the use, the day of submission and the access period come in.
/// </summary>
public static class ConsentMatcher
{
    public static ConsentCheck Check(DuoTerms table, IReadOnlyList<ConsentTerm> consent, DataUse use, DateOnly today, int accessDays)
    {
        var lines = new List<ConsentCheckLine>();
        foreach (var term in consent)
        {
            var duo = table.Find(term.Code) ?? throw new ArgumentException($"Unknown DUO term {term.Code}.", nameof(consent));
            var (met, reason) = duo.IsPermission ? Permission(duo, term, use) : Modifier(duo, term, use, today, accessDays);
            lines.Add(new ConsentCheckLine(duo.Code, duo.Id, met, reason));
        }
        return new ConsentCheck(lines.All(l => l.Met), lines, table.Source);
    }

    private static (bool, string) Permission(DuoTerm duo, ConsentTerm term, DataUse use)
    {
        if (!duo.Allows!.Contains(use.Purpose))
            return (false, $"{duo.Code} ({duo.Label}) admits {string.Join(", ", duo.Allows!)} research, not {use.Purpose}.");
        if (duo.Parameter != "diseases") return (true, $"{duo.Code} ({duo.Label}) admits {use.Purpose} research.");
        var outside = (use.Diseases ?? []).Except(term.Diseases ?? []).ToList();
        return outside.Count == 0
            ? (true, $"{duo.Code}: research on {string.Join(", ", use.Diseases ?? [])}, which the consent names.")
            : (false, $"{duo.Code} limits use to research on {string.Join(", ", term.Diseases ?? [])}; {string.Join(", ", outside)} is not among them.");
    }

    private static (bool, string) Modifier(DuoTerm duo, ConsentTerm term, DataUse use, DateOnly today, int accessDays) => duo.Requires switch
    {
        "nonCommercial" => use.Commercial ? (false, $"{duo.Code}: the data may not be used commercially; the request states commercial use.")
            : (true, $"{duo.Code}: non-commercial use stated."),
        "notForProfit" => use.NotForProfit ? (true, $"{duo.Code}: a not-for-profit organisation uses the data.")
            : (false, $"{duo.Code}: only not-for-profit organisations may use the data; the request does not state one."),
        "ethicsApproval" => use.EthicsApproval ? (true, $"{duo.Code}: ethics approval stated.")
            : (false, $"{duo.Code}: the consent requires ethics (IRB/REC) approval; the request does not state it."),
        "region" => use.Region is { } r && (term.Regions ?? []).Contains(r) ? (true, $"{duo.Code}: used in {r}, within {string.Join(", ", term.Regions!)}.")
            : (false, $"{duo.Code}: the data may be used only in {string.Join(", ", term.Regions ?? [])}; the request states {use.Region ?? "no region"}."),
        "willPublish" => use.WillPublish ? (true, $"{duo.Code}: the results will be published.")
            : (false, $"{duo.Code}: the consent requires the results to be published; the request does not commit to it."),
        "endsBy" => today.AddDays(accessDays) <= term.Until!.Value
            ? (true, $"{duo.Code}: access ends by {today.AddDays(accessDays):yyyy-MM-dd}, within the limit {term.Until:yyyy-MM-dd}.")
            : (false, $"{duo.Code}: use is allowed until {term.Until:yyyy-MM-dd}; access for {accessDays} day(s) from {today:yyyy-MM-dd} would end later."),
        "geneticStudy" => use.GeneticStudy ? (true, $"{duo.Code}: a genetic study.")
            : (false, $"{duo.Code}: only genetic studies may use the data; the request does not state one."),
        "noMethodsDevelopment" => use.MethodsDevelopment ? (false, $"{duo.Code}: the data may not be used to develop methods; the request states it.")
            : (true, $"{duo.Code}: no methods development stated."),
        _ => throw new InvalidOperationException($"Requirement {duo.Requires} is not implemented."),
    };
}
