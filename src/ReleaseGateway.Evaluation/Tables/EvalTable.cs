namespace ReleaseGateway.Evaluation.Tables;

/// <summary>How an evaluator reads a column: as unordered codes or as ordered numbers.</summary>
public enum ValueKind
{
    /// <summary>Unordered codes 0..k−1 into <see cref="ColumnSpec.Levels"/>; −1 marks a missing value.</summary>
    Categorical,

    /// <summary>Real numbers (integers, continuous values, dates as days since 0001-01-01); NaN marks a missing value.</summary>
    Numeric,
}

/// <summary>What the attacker is assumed to know about a column.</summary>
public enum AttackRole
{
    /// <summary>Known to the attacker (auxiliary information).</summary>
    QuasiIdentifier,

    /// <summary>The secret an attribute-inference attacker tries to learn.</summary>
    Sensitive,

    /// <summary>The outcome a downstream model predicts (TSTR); also known to the attacker.</summary>
    Target,

    /// <summary>Direct identifier; never evaluated (it should never be synthesised).</summary>
    Identifier,

    /// <summary>Neither known nor secret.</summary>
    None,
}

/// <summary>Name, kind, role and (for categorical columns) levels of a column, shared by the
/// training, holdout and synthetic tables so that codes mean the same in all three.</summary>
/// <param name="Name">Column name as in the CSV header.</param>
/// <param name="Kind">Categorical or numeric.</param>
/// <param name="Role">Attack role; <see cref="AttackRole.QuasiIdentifier"/> when the schema declares none.</param>
/// <param name="Levels">Category labels indexed by code; empty for numeric columns.</param>
public sealed record ColumnSpec(string Name, ValueKind Kind, AttackRole Role, IReadOnlyList<string> Levels)
{
    /// <summary>Number of categorical levels (0 for numeric columns).</summary>
    public int LevelCount => Levels.Count;
}

/// <summary>One column of an <see cref="EvalTable"/>: codes for categorical data, doubles for numeric data.</summary>
public sealed class EvalColumn
{
    private EvalColumn(ColumnSpec spec, int[] codes, double[] values)
    {
        Spec = spec;
        Codes = codes;
        Values = values;
    }

    /// <summary>Shared description of the column.</summary>
    public ColumnSpec Spec { get; }

    /// <summary>Column name.</summary>
    public string Name => Spec.Name;

    /// <summary>Categorical or numeric.</summary>
    public ValueKind Kind => Spec.Kind;

    /// <summary>Codes in 0..<see cref="ColumnSpec.LevelCount"/>−1, −1 for missing; empty for numeric columns.</summary>
    public int[] Codes { get; }

    /// <summary>Values, NaN for missing; empty for categorical columns.</summary>
    public double[] Values { get; }

    /// <summary>Number of rows.</summary>
    public int Length => Kind == ValueKind.Categorical ? Codes.Length : Values.Length;

    /// <summary>Creates a categorical column; every code must be −1 or a valid level index.</summary>
    public static EvalColumn Categorical(ColumnSpec spec, int[] codes)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(codes);
        if (spec.Kind != ValueKind.Categorical)
        {
            throw new ArgumentException($"Column '{spec.Name}' is not categorical.", nameof(spec));
        }

        foreach (var code in codes)
        {
            if (code < -1 || code >= spec.LevelCount)
            {
                throw new ArgumentOutOfRangeException(nameof(codes), $"Column '{spec.Name}': code {code} outside −1..{spec.LevelCount - 1}.");
            }
        }

        return new EvalColumn(spec, codes, []);
    }

    /// <summary>Creates a numeric column; infinities are rejected, NaN means missing.</summary>
    public static EvalColumn Numeric(ColumnSpec spec, double[] values)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(values);
        if (spec.Kind != ValueKind.Numeric)
        {
            throw new ArgumentException($"Column '{spec.Name}' is not numeric.", nameof(spec));
        }

        if (values.Any(double.IsInfinity))
        {
            throw new ArgumentException($"Column '{spec.Name}' contains an infinite value.", nameof(values));
        }

        return new EvalColumn(spec, [], values);
    }

    /// <summary>Whether row <paramref name="row"/> is missing.</summary>
    public bool IsMissing(int row) => Kind == ValueKind.Categorical ? Codes[row] < 0 : double.IsNaN(Values[row]);

    /// <summary>The rows at the given indices, in that order (indices may repeat).</summary>
    public EvalColumn Select(IReadOnlyList<int> rows)
    {
        if (Kind == ValueKind.Categorical)
        {
            var codes = new int[rows.Count];
            for (var i = 0; i < codes.Length; i++)
            {
                codes[i] = Codes[rows[i]];
            }

            return new EvalColumn(Spec, codes, []);
        }

        var values = new double[rows.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Values[rows[i]];
        }

        return new EvalColumn(Spec, [], values);
    }
}

/// <summary>
/// An immutable column-oriented table of mixed-type values: the evaluators' own representation,
/// independent of how the data was read. Training, holdout and synthetic tables that are compared
/// must share their <see cref="ColumnSpec"/>s (same names, kinds and level lists).
/// </summary>
public sealed class EvalTable
{
    /// <summary>Creates a table; all columns must have the same length and distinct names.</summary>
    public EvalTable(IReadOnlyList<EvalColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count == 0)
        {
            throw new ArgumentException("A table needs at least one column.", nameof(columns));
        }

        var length = columns[0].Length;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in columns)
        {
            if (column.Length != length)
            {
                throw new ArgumentException($"Column '{column.Name}' has {column.Length} rows, expected {length}.", nameof(columns));
            }

            if (!names.Add(column.Name))
            {
                throw new ArgumentException($"Duplicate column '{column.Name}'.", nameof(columns));
            }
        }

        Columns = columns;
        RowCount = length;
    }

    /// <summary>Columns in order.</summary>
    public IReadOnlyList<EvalColumn> Columns { get; }

    /// <summary>Number of rows.</summary>
    public int RowCount { get; }

    /// <summary>Column specifications in order.</summary>
    public IReadOnlyList<ColumnSpec> Specs => Columns.Select(c => c.Spec).ToArray();

    /// <summary>Index of the column named <paramref name="name"/>, or −1.</summary>
    public int IndexOf(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (Columns[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The rows at the given indices, in that order.</summary>
    public EvalTable Select(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        foreach (var row in rows)
        {
            if ((uint)row >= (uint)RowCount)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), $"Row {row} outside 0..{RowCount - 1}.");
            }
        }

        return new EvalTable(Columns.Select(c => c.Select(rows)).ToArray());
    }

    /// <summary>Checks that <paramref name="other"/> has the same column specifications, so codes can be compared.</summary>
    public void EnsureCompatible(EvalTable other, string otherName)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Columns.Count != Columns.Count)
        {
            throw new ArgumentException($"Table '{otherName}' has {other.Columns.Count} columns, expected {Columns.Count}.");
        }

        for (var i = 0; i < Columns.Count; i++)
        {
            var a = Columns[i].Spec;
            var b = other.Columns[i].Spec;
            if (a.Name != b.Name || a.Kind != b.Kind || !a.Levels.SequenceEqual(b.Levels))
            {
                throw new ArgumentException($"Table '{otherName}': column {i} ('{b.Name}') does not match '{a.Name}' (name, kind or levels differ).");
            }
        }
    }
}
