using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Datasets.Schema;

namespace ReleaseGateway.Evaluation.Tables;

/// <summary>
/// Maps the synthesis module's coded tables (<see cref="EncodedTable"/> over a <see cref="DatasetSchema"/>)
/// to evaluation tables and back. Evaluation happens in the coded domain the synthesizer works in: a
/// categorical code becomes its category, an integer code its value, a binned number the midpoint of its
/// bin, a date code the first day of its period, the missing code a missing value. Comparing real and
/// synthetic data at this resolution is what the synthesizer can reproduce, and it is stricter for privacy
/// than comparing decoded values (within-bin noise cannot hide an exact copy). Roles: a schema that
/// declares no quasi-identifier and no sensitive column (e.g. the domain shorthand) makes every column a
/// quasi-identifier.
/// </summary>
public sealed class SchemaCoding
{
    private readonly ColumnSpec[] specs;
    private readonly double[][] values;
    private readonly Dictionary<double, int>[] codeOfValue;
    private readonly int[] missingCodes;
    private readonly int[] domainSizes;

    /// <summary>Prepares the mapping for the schema's synthesised columns (identifiers are dropped).</summary>
    public SchemaCoding(DatasetSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Schema = schema;
        var columns = schema.SynthesisColumns;
        var declared = columns.Any(c => c.Role is ColumnRole.QuasiIdentifier or ColumnRole.Sensitive);
        specs = new ColumnSpec[columns.Count];
        values = new double[columns.Count][];
        codeOfValue = new Dictionary<double, int>[columns.Count];
        missingCodes = new int[columns.Count];
        domainSizes = new int[columns.Count];
        for (var j = 0; j < columns.Count; j++)
        {
            var c = columns[j];
            var role = !declared && c.Role != ColumnRole.Target
                ? AttackRole.QuasiIdentifier
                : c.Role switch
                {
                    ColumnRole.QuasiIdentifier => AttackRole.QuasiIdentifier,
                    ColumnRole.Sensitive => AttackRole.Sensitive,
                    ColumnRole.Target => AttackRole.Target,
                    _ => AttackRole.None,
                };
            missingCodes[j] = c.MissingCode;
            domainSizes[j] = c.DomainSize;
            if (c.Type == ColumnType.Categorical)
            {
                specs[j] = new ColumnSpec(c.Name, ValueKind.Categorical, role, c.Categories!.ToArray());
                values[j] = [];
                codeOfValue[j] = [];
                continue;
            }

            specs[j] = new ColumnSpec(c.Name, ValueKind.Numeric, role, []);
            values[j] = Enumerable.Range(0, c.ValueCodeCount).Select(code => ValueOf(c, code)).ToArray();
            codeOfValue[j] = new Dictionary<double, int>();
            for (var code = 0; code < values[j].Length; code++)
            {
                codeOfValue[j].TryAdd(values[j][code], code);
            }
        }
    }

    /// <summary>The schema.</summary>
    public DatasetSchema Schema { get; }

    /// <summary>Column specifications of the evaluation tables, in the schema's synthesis order.</summary>
    public IReadOnlyList<ColumnSpec> Specs => specs;

    /// <summary>Converts a coded table (columns in the schema's synthesis order).</summary>
    public EvalTable ToEval(EncodedTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.ColumnCount != specs.Length)
        {
            throw new ArgumentException($"The table has {table.ColumnCount} columns; the schema synthesises {specs.Length}.", nameof(table));
        }

        var columns = new EvalColumn[specs.Length];
        for (var j = 0; j < specs.Length; j++)
        {
            if (table.ColumnNames[j] != specs[j].Name)
            {
                throw new ArgumentException($"Column {j} is '{table.ColumnNames[j]}', expected '{specs[j].Name}'.", nameof(table));
            }

            var codes = table.Column(j);
            if (specs[j].Kind == ValueKind.Categorical)
            {
                var mapped = new int[codes.Length];
                for (var r = 0; r < codes.Length; r++)
                {
                    mapped[r] = codes[r] == missingCodes[j] ? -1 : codes[r];
                }

                columns[j] = EvalColumn.Categorical(specs[j], mapped);
            }
            else
            {
                var mapped = new double[codes.Length];
                for (var r = 0; r < codes.Length; r++)
                {
                    mapped[r] = codes[r] == missingCodes[j] ? double.NaN : values[j][codes[r]];
                }

                columns[j] = EvalColumn.Numeric(specs[j], mapped);
            }
        }

        return new EvalTable(columns);
    }

    /// <summary>Converts back to codes; every value must be one that <see cref="ToEval"/> can produce.</summary>
    public EncodedTable ToEncoded(EvalTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var columns = new int[specs.Length][];
        for (var j = 0; j < specs.Length; j++)
        {
            var column = table.Columns[j];
            columns[j] = new int[table.RowCount];
            for (var r = 0; r < table.RowCount; r++)
            {
                if (column.IsMissing(r))
                {
                    columns[j][r] = missingCodes[j] >= 0
                        ? missingCodes[j]
                        : throw new ArgumentException($"Column '{specs[j].Name}' does not allow missing values.", nameof(table));
                }
                else
                {
                    columns[j][r] = specs[j].Kind == ValueKind.Categorical ? column.Codes[r] : codeOfValue[j][column.Values[r]];
                }
            }
        }

        return new EncodedTable(specs.Select(s => s.Name).ToArray(), domainSizes, columns);
    }

    private static double ValueOf(ColumnSchema c, int code)
    {
        if (c.Type == ColumnType.Date)
        {
            return c.DateRange(code).First.DayNumber;
        }

        var (low, high) = c.BinBounds(code);
        return (low + high) / 2;
    }
}
