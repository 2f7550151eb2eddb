using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Datasets.Schema;

namespace ReleaseGateway.Synthesis.Data;

/// <summary>
/// A synthetic table in the schema's original types and column order, as text per column: categories as declared,
/// numbers and dates drawn within their bin, the missing code as an empty value, identifier columns as fresh sequence
/// numbers 1..n (they carry no information about the input). The person key is left out altogether: a release has
/// no persons, and a column of that name would invite linking. Decoded once, so every file format written from it
/// holds the same values.
/// </summary>
public sealed class DecodedTable
{
    private DecodedTable(IReadOnlyList<ColumnSchema> columns, string[][] values, int rowCount)
    {
        Columns = columns;
        Values = values;
        RowCount = rowCount;
    }

    public IReadOnlyList<ColumnSchema> Columns { get; }

    /// <summary>Column-major: <c>Values[c][i]</c> is row <c>i</c> of column <c>c</c>; "" where missing.</summary>
    public IReadOnlyList<string[]> Values { get; }

    public int RowCount { get; }

    /// <summary>
    /// Decodes every code; binned values are drawn from <paramref name="random"/> row by row, then column by column
    /// (post-processing of the DP output; the order keeps seeded runs reproducible).
    /// </summary>
    public static DecodedTable Decode(EncodedTable table, DatasetSchema schema, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(random);
        IReadOnlyList<ColumnSchema> columns = schema.Columns.Where(c => c.Role != ColumnRole.PersonKey).ToArray();
        var source = new int[columns.Count];
        var codecs = new ColumnCodec?[columns.Count];
        for (int c = 0; c < columns.Count; c++)
        {
            if (columns[c].IsDropped)
            {
                source[c] = -1;
                continue;
            }

            source[c] = table.IndexOf(columns[c].Name);
            if (source[c] < 0 || table.DomainSizes[source[c]] != columns[c].DomainSize)
            {
                throw new ArgumentException($"the table has no column '{columns[c].Name}' with domain size {columns[c].DomainSize}", nameof(table));
            }

            codecs[c] = new ColumnCodec(columns[c], schema.OutOfDomain);
        }

        var values = columns.Select(_ => new string[table.RowCount]).ToArray();
        for (int i = 0; i < table.RowCount; i++)
        {
            for (int c = 0; c < columns.Count; c++)
            {
                values[c][i] = source[c] < 0
                    ? (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : codecs[c]!.Decode(table.Column(source[c])[i], random);
            }
        }

        return new DecodedTable(columns, values, table.RowCount);
    }
}
