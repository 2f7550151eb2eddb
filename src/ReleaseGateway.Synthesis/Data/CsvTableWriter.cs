using ReleaseGateway.Datasets.Data;
using System.Globalization;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Datasets.Schema;

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
    /// Writes the table in the schema's original types and column order (<see cref="DecodedTable.Decode"/>).
    /// </summary>
    public static void WriteDecoded(EncodedTable table, DatasetSchema schema, TextWriter writer, IRandomSource random) =>
        Write(DecodedTable.Decode(table, schema, random), writer);

    /// <summary>Writes decoded values as they are; an empty value is an empty cell.</summary>
    public static void Write(DecodedTable table, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(string.Join(",", table.Columns.Select(c => Quote(c.Name))));
        writer.Write('\n');
        for (int i = 0; i < table.RowCount; i++)
        {
            for (int c = 0; c < table.Columns.Count; c++)
            {
                if (c > 0)
                {
                    writer.Write(',');
                }

                writer.Write(Quote(table.Values[c][i]));
            }

            writer.Write('\n');
        }
    }

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
