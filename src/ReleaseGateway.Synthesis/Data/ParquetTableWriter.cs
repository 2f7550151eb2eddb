using System.Globalization;
using Parquet;
using Parquet.Schema;
using ReleaseGateway.Datasets.Schema;

namespace ReleaseGateway.Synthesis.Data;

/// <summary>
/// Writes a <see cref="DecodedTable"/> as Apache Parquet, typed by the schema: categories as strings, integers and
/// identifiers as int64, continuous values as double, dates as the Parquet date type; a missing value is null. One row
/// group; the values are those of the CSV written from the same decoding.
/// </summary>
public static class ParquetTableWriter
{
    public static async Task WriteAsync(DecodedTable table, Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(stream);
        var fields = table.Columns.Select(Field).ToArray();
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream, cancellationToken: cancellationToken);
        using var rowGroup = writer.CreateRowGroup();
        for (var c = 0; c < fields.Length; c++)
        {
            var values = table.Values[c];
            switch (TypeOf(table.Columns[c]))
            {
                case ColumnType.Categorical:
                    await rowGroup.WriteAsync(fields[c], values.Select(v => v.Length == 0 ? null : v).ToArray());
                    break;
                case ColumnType.Integer:
                case ColumnType.Identifier:
                    await rowGroup.WriteAsync<long>(fields[c], Parse(values, v => long.Parse(v, CultureInfo.InvariantCulture)), cancellationToken: cancellationToken);
                    break;
                case ColumnType.Continuous:
                    await rowGroup.WriteAsync<double>(fields[c], Parse(values, v => double.Parse(v, CultureInfo.InvariantCulture)), cancellationToken: cancellationToken);
                    break;
                case ColumnType.Date:
                    await rowGroup.WriteAsync<DateOnly>(fields[c],
                        Parse(values, v => DateOnly.ParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture)), cancellationToken: cancellationToken);
                    break;
                default:
                    throw new ArgumentException($"column '{table.Columns[c].Name}' has type {table.Columns[c].Type}, which has no Parquet mapping", nameof(table));
            }
        }
    }

    // A dropped column is written as fresh sequence numbers (DecodedTable), whatever its declared type.
    private static ColumnType TypeOf(ColumnSchema column) => column.IsDropped ? ColumnType.Identifier : column.Type;

    private static DataField Field(ColumnSchema column) => TypeOf(column) switch
    {
        ColumnType.Categorical => new DataField<string>(column.Name, true),
        ColumnType.Integer or ColumnType.Identifier => new DataField<long?>(column.Name),
        ColumnType.Continuous => new DataField<double?>(column.Name),
        ColumnType.Date => new DataField<DateOnly?>(column.Name),
        _ => throw new ArgumentException($"column '{column.Name}' has type {column.Type}, which has no Parquet mapping", nameof(column)),
    };

    private static ReadOnlyMemory<T?> Parse<T>(string[] values, Func<string, T> parse) where T : struct =>
        values.Select(v => v.Length == 0 ? (T?)null : parse(v)).ToArray();
}
