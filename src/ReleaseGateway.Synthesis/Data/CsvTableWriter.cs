using System.Globalization;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Synthesis.Schema;

namespace ReleaseGateway.Synthesis.Data;

/// <summary>Writes an <see cref="EncodedTable"/> as CSV (RFC 4180, header row, LF line ends).</summary>
public static class CsvTableWriter
{
    /// <summary>Writes the integer codes themselves (the coding of the private-pgm <c>-disc</c> tables).</summary>
    public static void WriteCodes(EncodedTable table, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(string.Join(",", table.ColumnNames.Select(Quote)));
        writer.Write('\n');
        Span<char> digits = stackalloc char[16];
        for (int i = 0; i < table.RowCount; i++)
        {
            for (int j = 0; j < table.ColumnCount; j++)
            {
                if (j > 0)
                {
                    writer.Write(',');
                }

                table.Column(j)[i].TryFormat(digits, out int written, default, CultureInfo.InvariantCulture);
                writer.Write(digits[..written]);
            }

            writer.Write('\n');
        }
    }

    /// <summary>
    /// Writes the table in the schema's original types and column order: categories as declared,
    /// binned numbers and dates drawn uniformly within their bin from <paramref name="random"/>,
    /// the missing code as an empty cell. Identifier columns are written as fresh sequence numbers
    /// 1..n, which carry no information about the input.
    /// </summary>
    public static void WriteDecoded(EncodedTable table, DatasetSchema schema, TextWriter writer, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(random);
        IReadOnlyList<ColumnSchema> columns = schema.Columns;
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

        writer.Write(string.Join(",", columns.Select(c => Quote(c.Name))));
        writer.Write('\n');
        for (int i = 0; i < table.RowCount; i++)
        {
            for (int c = 0; c < columns.Count; c++)
            {
                if (c > 0)
                {
                    writer.Write(',');
                }

                writer.Write(source[c] < 0
                    ? (i + 1).ToString(CultureInfo.InvariantCulture)
                    : Quote(codecs[c]!.Decode(table.Column(source[c])[i], random)));
            }

            writer.Write('\n');
        }
    }

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
