using System.Globalization;

namespace ReleaseGateway.Evaluation.Tables;

/// <summary>How to read one column from text cells.</summary>
/// <param name="Name">Column name as in the header.</param>
/// <param name="Kind">Categorical or numeric.</param>
/// <param name="Role">Attack role.</param>
/// <param name="DeclaredLevels">Categories declared by a schema (kept first, in order); observed values not declared are appended in sorted order.</param>
/// <param name="IsDate">Numeric column holding ISO dates, read as days since 0001-01-01.</param>
public sealed record ColumnDefinition(
    string Name,
    ValueKind Kind,
    AttackRole Role,
    IReadOnlyList<string>? DeclaredLevels = null,
    bool IsDate = false);

/// <summary>A cell that cannot be read as its column's kind.</summary>
public sealed class CellFormatException(string table, int row, string column, string message)
    : FormatException($"{table}: row {row}, column '{column}': {message}")
{
    /// <summary>Which table (train, holdout, synthetic).</summary>
    public string Table { get; } = table;

    /// <summary>1-based data row (header excluded).</summary>
    public int Row { get; } = row;

    /// <summary>Column name.</summary>
    public string Column { get; } = column;
}

/// <summary>Encodes several text tables over one shared set of <see cref="ColumnSpec"/>s.</summary>
public static class EvalTableBuilder
{
    /// <summary>
    /// Encodes named text tables (rows of cells in <paramref name="columns"/> order; null or empty = missing).
    /// Categorical levels are the union over all tables, so a category that only the synthetic data
    /// contains still gets a code (and then counts as a difference, not an error).
    /// </summary>
    public static IReadOnlyList<EvalTable> Build(
        IReadOnlyList<ColumnDefinition> columns,
        IReadOnlyList<(string Name, IReadOnlyList<string?[]> Rows)> tables)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(tables);
        if (columns.Count == 0)
        {
            throw new ArgumentException("At least one column is required.", nameof(columns));
        }

        foreach (var (name, rows) in tables)
        {
            for (var r = 0; r < rows.Count; r++)
            {
                if (rows[r].Length != columns.Count)
                {
                    throw new CellFormatException(name, r + 1, "*", $"{rows[r].Length} cells, expected {columns.Count}.");
                }
            }
        }

        var specs = new ColumnSpec[columns.Count];
        var lookups = new Dictionary<string, int>?[columns.Count];
        for (var c = 0; c < columns.Count; c++)
        {
            var def = columns[c];
            if (def.Kind == ValueKind.Numeric)
            {
                specs[c] = new ColumnSpec(def.Name, ValueKind.Numeric, def.Role, []);
                continue;
            }

            var levels = new List<string>(def.DeclaredLevels ?? []);
            var known = new HashSet<string>(levels, StringComparer.Ordinal);
            var extra = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var (_, rows) in tables)
            {
                foreach (var row in rows)
                {
                    var cell = row[c];
                    if (!string.IsNullOrEmpty(cell) && !known.Contains(cell))
                    {
                        extra.Add(cell);
                    }
                }
            }

            levels.AddRange(extra);
            specs[c] = new ColumnSpec(def.Name, ValueKind.Categorical, def.Role, levels);
            lookups[c] = levels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
        }

        var result = new List<EvalTable>(tables.Count);
        foreach (var (name, rows) in tables)
        {
            var built = new EvalColumn[columns.Count];
            for (var c = 0; c < columns.Count; c++)
            {
                if (specs[c].Kind == ValueKind.Categorical)
                {
                    var codes = new int[rows.Count];
                    for (var r = 0; r < rows.Count; r++)
                    {
                        var cell = rows[r][c];
                        codes[r] = string.IsNullOrEmpty(cell) ? -1 : lookups[c]![cell];
                    }

                    built[c] = EvalColumn.Categorical(specs[c], codes);
                }
                else
                {
                    var values = new double[rows.Count];
                    for (var r = 0; r < rows.Count; r++)
                    {
                        values[r] = ParseNumber(name, r + 1, columns[c], rows[r][c]);
                    }

                    built[c] = EvalColumn.Numeric(specs[c], values);
                }
            }

            result.Add(new EvalTable(built));
        }

        return result;
    }

    private static double ParseNumber(string table, int row, ColumnDefinition column, string? cell)
    {
        if (string.IsNullOrEmpty(cell) || cell == "NA")
        {
            return double.NaN;
        }

        if (column.IsDate)
        {
            if (DateOnly.TryParse(cell, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                return date.DayNumber;
            }

            throw new CellFormatException(table, row, column.Name, $"'{cell}' is not a date.");
        }

        if (double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }

        throw new CellFormatException(table, row, column.Name, $"'{cell}' is not a finite number.");
    }
}
