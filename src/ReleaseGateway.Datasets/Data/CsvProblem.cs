namespace ReleaseGateway.Datasets.Data;

/// <summary>
/// One problem found in a CSV file. <paramref name="Row"/> is the 1-based record number counting the
/// header as record 1 (the spreadsheet row when no field spans lines); <paramref name="Column"/> is
/// the column name, or null when the problem concerns the whole record.
/// </summary>
public sealed record CsvProblem(long Row, string? Column, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Column is null ? $"row {Row}: {Message}" : $"row {Row}, column '{Column}': {Message}";
}

/// <summary>Outcome of <see cref="CsvTableReader.Validate"/>: rows seen and the first problems found.</summary>
/// <param name="RowCount">Data records read (header excluded).</param>
/// <param name="Problems">Problems in file order, at most the requested maximum.</param>
/// <param name="Truncated">True when more problems existed than were kept.</param>
public sealed record CsvValidationReport(long RowCount, IReadOnlyList<CsvProblem> Problems, bool Truncated)
{
    /// <summary>True when no problem was found.</summary>
    public bool IsValid => Problems.Count == 0;
}

/// <summary>The CSV does not match the schema; <see cref="Problems"/> lists where and why.</summary>
public sealed class CsvValidationException : Exception
{
    /// <summary>Creates the exception from the problems found (at least one).</summary>
    public CsvValidationException(IReadOnlyList<CsvProblem> problems, bool truncated = false)
        : base(BuildMessage(problems, truncated))
    {
        Problems = problems;
        Truncated = truncated;
    }

    /// <summary>Problems in file order.</summary>
    public IReadOnlyList<CsvProblem> Problems { get; }

    /// <summary>True when more problems existed than were kept.</summary>
    public bool Truncated { get; }

    private static string BuildMessage(IReadOnlyList<CsvProblem> problems, bool truncated)
    {
        ArgumentNullException.ThrowIfNull(problems);
        string head = string.Join("; ", problems.Take(5));
        int more = problems.Count - 5;
        return more > 0 || truncated ? $"{head}; and {(more > 0 ? more : 0)}{(truncated ? "+" : string.Empty)} more problem(s)" : head;
    }
}
