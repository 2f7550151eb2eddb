using System.Text;
using ReleaseGateway.Datasets.Schema;

namespace ReleaseGateway.Datasets.Data;

/// <summary>
/// Reads a CSV file (RFC 4180, UTF-8, header row, empty cell = missing) against a
/// <see cref="DatasetSchema"/> into an <see cref="EncodedTable"/>, or validates it without keeping
/// rows. Header columns are matched by name (any order); identifier columns are read and discarded.
/// The encoded table's columns follow the schema's declaration order.
/// </summary>
public static class CsvTableReader
{
    /// <summary>Default cap on the problems collected before giving up.</summary>
    public const int DefaultMaxProblems = 100;

    /// <summary>Reads and encodes the file at <paramref name="path"/>.</summary>
    /// <exception cref="CsvValidationException">The file does not match the schema (problems listed with row and column).</exception>
    public static EncodedTable Read(string path, DatasetSchema schema, int maxProblems = DefaultMaxProblems)
    {
        using FileStream stream = new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Read(stream, schema, maxProblems);
    }

    /// <summary>Reads and encodes a CSV stream.</summary>
    /// <exception cref="CsvValidationException">The stream does not match the schema (problems listed with row and column).</exception>
    public static EncodedTable Read(Stream stream, DatasetSchema schema, int maxProblems = DefaultMaxProblems)
    {
        var builder = new ColumnBuilder(schema.SynthesisColumns.Count);
        ScanResult result = Scan(stream, schema, maxProblems, builder);
        if (result.Problems.Count > 0)
        {
            throw new CsvValidationException(result.Problems, result.Truncated);
        }

        IReadOnlyList<ColumnSchema> columns = schema.SynthesisColumns;
        return new EncodedTable(columns.Select(c => c.Name).ToArray(), columns.Select(c => c.DomainSize).ToArray(), builder.Build());
    }

    /// <summary>
    /// Reads and encodes a CSV stream and, when the schema declares a person key, the dense person id of every row
    /// (0, 1, … in order of first appearance). The key's values live only in a map local to the read; the result
    /// holds numbers that say which rows belong together, nothing else.
    /// </summary>
    /// <exception cref="CsvValidationException">The stream does not match the schema (problems listed with row and column).</exception>
    public static PersonTable ReadWithPersons(Stream stream, DatasetSchema schema, int maxProblems = DefaultMaxProblems)
    {
        var builder = new ColumnBuilder(schema.SynthesisColumns.Count);
        PersonIds? persons = schema.PersonKey is null ? null : new PersonIds();
        ScanResult result = Scan(stream, schema, maxProblems, builder, persons);
        if (result.Problems.Count > 0)
        {
            throw new CsvValidationException(result.Problems, result.Truncated);
        }

        IReadOnlyList<ColumnSchema> columns = schema.SynthesisColumns;
        var table = new EncodedTable(columns.Select(c => c.Name).ToArray(), columns.Select(c => c.DomainSize).ToArray(), builder.Build());
        return new PersonTable(table, persons?.Build());
    }

    /// <summary>
    /// Checks a CSV stream against the schema without keeping rows (constant memory): header,
    /// column counts, quoting, parseability and domain of every value.
    /// </summary>
    public static CsvValidationReport Validate(Stream stream, DatasetSchema schema, int maxProblems = DefaultMaxProblems)
    {
        ScanResult result = Scan(stream, schema, maxProblems, null);
        return new CsvValidationReport(result.Rows, result.Problems, result.Truncated);
    }

    /// <summary>
    /// Reads the raw values of the named numeric columns (after the same checks as <see cref="Read(Stream, DatasetSchema, int)"/>),
    /// row-aligned with <see cref="ReadWithPersons"/>: NaN for a missing cell, and the dense person ids when the schema
    /// declares a person key. This is what DP binning measures; the values are private and never leave the synthesizer.
    /// </summary>
    /// <exception cref="CsvValidationException">The stream does not match the schema.</exception>
    public static RawNumericColumns ReadNumbers(Stream stream, DatasetSchema schema, IReadOnlyList<string> columnNames, int maxProblems = DefaultMaxProblems)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(columnNames);
        IReadOnlyList<ColumnSchema> coded = schema.SynthesisColumns;
        int[] indices = columnNames.Select(name =>
        {
            int j = coded.Select(c => c.Name).ToList().IndexOf(name);
            return j >= 0 && coded[j].Type is ColumnType.Integer or ColumnType.Continuous
                ? j
                : throw new ArgumentException($"'{name}' is not a numeric column of the schema", nameof(columnNames));
        }).ToArray();
        var raw = new RawSink(indices);
        PersonIds? persons = schema.PersonKey is null ? null : new PersonIds();
        ScanResult result = Scan(stream, schema, maxProblems, null, persons, raw);
        if (result.Problems.Count > 0)
        {
            throw new CsvValidationException(result.Problems, result.Truncated);
        }

        return new RawNumericColumns(columnNames.ToArray(), raw.Build(), persons?.Build());
    }

    private sealed record ScanResult(long Rows, List<CsvProblem> Problems, bool Truncated);

    private static ScanResult Scan(Stream stream, DatasetSchema schema, int maxProblems, ColumnBuilder? sink, PersonIds? persons = null, RawSink? raw = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxProblems);
        var problems = new List<CsvProblem>();
        bool truncated = false;
        void Report(long row, string? column, string message)
        {
            if (problems.Count < maxProblems)
            {
                problems.Add(new CsvProblem(row, column, message));
            }
            else
            {
                truncated = true;
            }
        }

        using var text = new StreamReader(stream, new UTF8Encoding(false, true), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true);
        var reader = new CsvRecordReader(text);
        string? error;
        try
        {
            if (!reader.Read(out error))
            {
                Report(1, null, "the file is empty (a header row is required)");
                return new ScanResult(0, problems, truncated);
            }
        }
        catch (DecoderFallbackException)
        {
            Report(1, null, "the file is not valid UTF-8");
            return new ScanResult(0, problems, truncated);
        }

        if (error is not null)
        {
            Report(1, null, "header: " + error);
            return new ScanResult(0, problems, truncated);
        }

        // Map each CSV field position to a schema column (-1 = identifier, read and dropped).
        IReadOnlyList<ColumnSchema> coded = schema.SynthesisColumns;
        int fieldCount = reader.FieldCount;
        var target = new int[fieldCount];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int f = 0; f < fieldCount; f++)
        {
            string name = reader.Field(f).ToString();
            if (f == 0 && name.Length > 0 && name[0] == '\uFEFF')
            {
                name = name[1..];
            }

            if (!seen.Add(name))
            {
                Report(1, name, "column appears twice in the header");
            }

            ColumnSchema? column = schema.Find(name);
            if (column is null)
            {
                Report(1, name, "unknown column (not declared in the schema)");
                target[f] = -1;
            }
            else
            {
                target[f] = column.IsDropped ? -1 : IndexOf(coded, column);
            }
        }

        foreach (ColumnSchema column in schema.Columns)
        {
            if (!seen.Contains(column.Name))
            {
                Report(1, column.Name, "column declared in the schema is missing from the header");
            }
        }

        if (problems.Count > 0)
        {
            return new ScanResult(0, problems, truncated);
        }

        int personField = -1;
        for (int f = 0; f < fieldCount && schema.PersonKey is not null; f++)
        {
            if (schema.Find(reader.Field(f).ToString().TrimStart('\uFEFF')) is { Role: ColumnRole.PersonKey })
            {
                personField = f;
            }
        }

        var codecs = coded.Select(c => new ColumnCodec(c, schema.OutOfDomain)).ToArray();
        var codes = new int[coded.Count];
        var fieldOf = new int[coded.Count];
        for (int f = 0; f < fieldCount; f++)
        {
            if (target[f] >= 0)
            {
                fieldOf[target[f]] = f;
            }
        }

        long rows = 0;
        try
        {
            while (reader.Read(out error))
            {
                rows++;
                long row = reader.RecordNumber;
                if (error is not null)
                {
                    Report(row, null, error);
                    continue;
                }

                if (reader.FieldCount != fieldCount)
                {
                    Report(row, null, $"{reader.FieldCount} fields, the header has {fieldCount}");
                    continue;
                }

                bool ok = true;
                if (personField >= 0 && reader.Field(personField).IsWhiteSpace())
                {
                    Report(row, schema.PersonKey!.Name, "the person key is empty: every row must name the person it belongs to");
                    ok = false;
                }

                for (int f = 0; f < fieldCount; f++)
                {
                    int j = target[f];
                    if (j < 0)
                    {
                        continue;
                    }

                    // How many values were clipped depends on the private data, so it is deliberately
                    // not counted or returned: releasing it would need noise and budget of its own.
                    if (codecs[j].TryEncode(reader.Field(f), out int code, out _, out string? reason))
                    {
                        codes[j] = code;
                    }
                    else
                    {
                        Report(row, coded[j].Name, reason!);
                        ok = false;
                    }
                }

                if (ok && problems.Count == 0)
                {
                    sink?.Add(codes);
                    persons?.Add(reader.Field(personField).ToString());
                    raw?.Add(j => reader.Field(fieldOf[j]));
                }

                if (truncated)
                {
                    break;
                }
            }
        }
        catch (DecoderFallbackException)
        {
            Report(reader.RecordNumber, null, "invalid UTF-8 byte sequence");
        }

        return new ScanResult(rows, problems, truncated);
    }

    private static int IndexOf(IReadOnlyList<ColumnSchema> columns, ColumnSchema column)
    {
        for (int j = 0; j < columns.Count; j++)
        {
            if (ReferenceEquals(columns[j], column))
            {
                return j;
            }
        }

        return -1;
    }

    /// <summary>Raw values of selected columns, NaN for an empty cell.</summary>
    private sealed class RawSink(int[] indices)
    {
        private readonly List<double>[] values = indices.Select(_ => new List<double>()).ToArray();

        public delegate ReadOnlySpan<char> FieldOf(int column);

        public void Add(FieldOf field)
        {
            for (int i = 0; i < indices.Length; i++)
            {
                ReadOnlySpan<char> text = field(indices[i]);
                values[i].Add(text.IsEmpty ? double.NaN : double.Parse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        public double[][] Build() => values.Select(v => v.ToArray()).ToArray();
    }

    /// <summary>Dense person ids by first appearance of the key's value.</summary>
    private sealed class PersonIds
    {
        private readonly Dictionary<string, int> ids = new(StringComparer.Ordinal);
        private readonly List<int> perRow = [];

        public void Add(string key)
        {
            if (!ids.TryGetValue(key, out int id))
            {
                id = ids.Count;
                ids[key] = id;
            }

            perRow.Add(id);
        }

        public int[] Build()
        {
            ids.Clear();
            return [.. perRow];
        }
    }

    /// <summary>Growable column-major code storage (doubling arrays, so 1M rows x 20 columns stay near 80 MB).</summary>
    private sealed class ColumnBuilder(int columnCount)
    {
        private readonly int[][] columns = Enumerable.Range(0, columnCount).Select(_ => new int[1024]).ToArray();
        private int count;

        public void Add(int[] codes)
        {
            if (count == columns[0].Length)
            {
                for (int j = 0; j < columns.Length; j++)
                {
                    Array.Resize(ref columns[j], columns[j].Length * 2);
                }
            }

            for (int j = 0; j < columns.Length; j++)
            {
                columns[j][count] = codes[j];
            }

            count++;
        }

        public int[][] Build()
        {
            for (int j = 0; j < columns.Length; j++)
            {
                Array.Resize(ref columns[j], count);
            }

            return columns;
        }
    }
}

/// <summary>A coded table and, when the schema has a person key, the dense person id of each row.</summary>
/// <param name="Table">The coded synthesis columns.</param>
/// <param name="PersonIds">Person id per row (index = row), 0..persons−1 by first appearance; null without a person key.</param>
public sealed record PersonTable(EncodedTable Table, int[]? PersonIds);

/// <summary>Raw values of numeric columns, row-aligned with <see cref="PersonTable"/>, for DP binning.</summary>
/// <param name="Names">The columns read.</param>
/// <param name="Values">Per column, the value of each row (NaN = missing).</param>
/// <param name="PersonIds">Person id per row as in <see cref="PersonTable"/>; null without a person key.</param>
public sealed record RawNumericColumns(IReadOnlyList<string> Names, IReadOnlyList<double[]> Values, int[]? PersonIds);
