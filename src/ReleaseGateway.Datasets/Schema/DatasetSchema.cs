using System.Globalization;
using System.Text.Json;

namespace ReleaseGateway.Datasets.Schema;

/// <summary>
/// The public description of a tabular data set: its columns' domains and roles (format in
/// docs/schema.md). The schema is declared by the steward and never derived from the private data,
/// so it can be published and costs no privacy budget.
/// </summary>
public sealed class DatasetSchema
{
    /// <summary>Validates and wraps the columns; throws <see cref="SchemaException"/> naming the column and the reason.</summary>
    public DatasetSchema(IEnumerable<ColumnSchema> columns, OutOfDomainPolicy outOfDomain = OutOfDomainPolicy.Error, IEnumerable<string>? protectedAttributes = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        Columns = columns.ToArray();
        OutOfDomain = outOfDomain;
        if (Columns.Count == 0)
        {
            throw new SchemaException("$.columns", "a schema needs at least one column");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < Columns.Count; i++)
        {
            ColumnSchema column = Columns[i] ?? throw new SchemaException($"$.columns[{i}]", "null column");
            column.Validate($"$.columns[{i}]");
            if (!names.Add(column.Name))
            {
                throw new SchemaException($"$.columns[{i}].name", $"column name '{column.Name}' is used twice");
            }
        }

        if (!Columns.Any(c => !c.IsDropped))
        {
            throw new SchemaException("$.columns", "every column is an identifier; nothing is left to synthesize");
        }

        if (Columns.Count(c => c.Role == ColumnRole.Target) > 1)
        {
            throw new SchemaException("$.columns", "at most one column may have role 'target'");
        }

        if (Columns.Count(c => c.Role == ColumnRole.PersonKey) > 1)
        {
            throw new SchemaException("$.columns", "at most one column may have role 'personKey'");
        }

        ProtectedAttributes = ValidateProtected(protectedAttributes?.ToArray() ?? []);
    }

    /// <summary>
    /// Names of the protected attributes (sex, age band, ethnicity…): categorical columns whose categories define
    /// the subgroups the evaluation reports fidelity and TSTR for (docs/evaluation.md). Empty when none is declared.
    /// </summary>
    public IReadOnlyList<string> ProtectedAttributes { get; }

    /// <summary>All declared columns, in declaration order (identifiers included).</summary>
    public IReadOnlyList<ColumnSchema> Columns { get; }

    /// <summary>What to do with out-of-domain values.</summary>
    public OutOfDomainPolicy OutOfDomain { get; }

    /// <summary>The columns that are coded and synthesized (all but identifiers), in declaration order.</summary>
    public IReadOnlyList<ColumnSchema> SynthesisColumns => Columns.Where(c => !c.IsDropped).ToArray();

    /// <summary>The column with role <see cref="ColumnRole.PersonKey"/> (the privacy unit is then the person), or null.</summary>
    public ColumnSchema? PersonKey => Columns.FirstOrDefault(c => c.Role == ColumnRole.PersonKey);

    /// <summary>The column with role <see cref="ColumnRole.Target"/>, or null.</summary>
    public ColumnSchema? Target => Columns.FirstOrDefault(c => c.Role == ColumnRole.Target);

    /// <summary>Columns with the given role, in declaration order.</summary>
    public IReadOnlyList<ColumnSchema> ColumnsWithRole(ColumnRole role) => Columns.Where(c => c.Role == role).ToArray();

    /// <summary>The column called <paramref name="name"/>, or null.</summary>
    public ColumnSchema? Find(string name) => Columns.FirstOrDefault(c => c.Name == name);

    /// <summary>Columns whose bin edges are still to be placed by DP quantiles (<see cref="ColumnSchema.NeedsDpBins"/>).</summary>
    public IReadOnlyList<ColumnSchema> DpBinnedColumns => Columns.Where(c => c.NeedsDpBins).ToArray();

    /// <summary>
    /// The schema with the given columns' bin edges filled in (and their <see cref="ColumnSchema.DpBins"/> cleared), so
    /// that it reads, codes and decodes like a schema with hand-made <c>binEdges</c>. The edges must be public: declared,
    /// or the output of a charged DP mechanism.
    /// </summary>
    /// <exception cref="SchemaException">An edge list is invalid or names an unknown column.</exception>
    public DatasetSchema WithBinEdges(IReadOnlyDictionary<string, IReadOnlyList<double>> edges)
    {
        ArgumentNullException.ThrowIfNull(edges);
        foreach (string name in edges.Keys)
        {
            if (Find(name) is null)
            {
                throw new SchemaException("$.columns", $"no column '{name}'");
            }
        }

        return new DatasetSchema(
            Columns.Select(c => edges.TryGetValue(c.Name, out IReadOnlyList<double>? e) ? c with { BinEdges = e.ToArray(), Bins = null, DpBins = null } : c),
            OutOfDomain, ProtectedAttributes);
    }

    private string[] ValidateProtected(string[] names)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++)
        {
            string at = $"$.protectedAttributes[{i}]";
            ColumnSchema column = Find(names[i] ?? string.Empty)
                ?? throw new SchemaException(at, $"'{names[i]}' is not a column of this schema; a protected attribute must name a declared column");
            if (column.Type != ColumnType.Categorical || column.IsDropped)
            {
                throw new SchemaException(at, $"'{column.Name}' has type {column.Type.ToString().ToLowerInvariant()}; a protected attribute must be a synthesised categorical column, since its categories are the subgroups (declare an age band as categories, not as an integer)");
            }

            if (!seen.Add(column.Name))
            {
                throw new SchemaException(at, $"'{column.Name}' is listed twice");
            }
        }

        return names;
    }

    /// <summary>Reads and parses a schema file (full format or private-pgm domain shorthand).</summary>
    public static DatasetSchema Load(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SchemaException(path, $"cannot read schema file: {e.Message}");
        }

        return Parse(json);
    }

    /// <summary>
    /// Parses a schema: either <c>{"columns": [...], "outOfDomain": "error"|"clip"}</c>, or the
    /// private-pgm domain shorthand <c>{"col": k, ...}</c> meaning integer codes 0..k-1 with role none.
    /// </summary>
    /// <exception cref="SchemaException">The JSON is malformed or describes an invalid domain; the message gives the JSON path and reason.</exception>
    public static DatasetSchema Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new SchemaException($"line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}", $"malformed JSON: {e.Message}");
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new SchemaException("$", "the schema must be a JSON object");
            }

            return root.TryGetProperty("columns", out _) ? ParseFull(root) : ParseDomainShorthand(root);
        }
    }

    private static DatasetSchema ParseDomainShorthand(JsonElement root)
    {
        var columns = new List<ColumnSchema>();
        foreach (JsonProperty property in root.EnumerateObject())
        {
            string path = $"$['{property.Name}']";
            if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetInt32(out int k) || k < 1)
            {
                throw new SchemaException(path, "in the domain shorthand every value must be a positive integer number of codes");
            }

            columns.Add(new ColumnSchema { Name = property.Name, Type = ColumnType.Integer, Min = 0, Max = k - 1 });
        }

        return new DatasetSchema(columns);
    }

    private static DatasetSchema ParseFull(JsonElement root)
    {
        OutOfDomainPolicy policy = OutOfDomainPolicy.Error;
        List<string>? protectedAttributes = null;
        foreach (JsonProperty property in root.EnumerateObject())
        {
            switch (property.Name)
            {
                case "columns":
                    break;
                case "outOfDomain":
                    policy = ParseEnum<OutOfDomainPolicy>(property.Value, "$.outOfDomain", ("error", OutOfDomainPolicy.Error), ("clip", OutOfDomainPolicy.Clip));
                    break;
                case "protectedAttributes":
                    protectedAttributes = ParseNames(property.Value, "$.protectedAttributes");
                    break;
                default:
                    throw new SchemaException($"$.{property.Name}", "unknown property (expected 'columns' and optionally 'outOfDomain' and 'protectedAttributes')");
            }
        }

        JsonElement array = root.GetProperty("columns");
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new SchemaException("$.columns", "must be an array of column objects");
        }

        var columns = new List<ColumnSchema>();
        int index = 0;
        foreach (JsonElement element in array.EnumerateArray())
        {
            columns.Add(ParseColumn(element, $"$.columns[{index++}]"));
        }

        return new DatasetSchema(columns, policy, protectedAttributes);
    }

    private static ColumnSchema ParseColumn(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new SchemaException(path, "a column must be a JSON object");
        }

        string? name = null;
        ColumnType? type = null;
        ColumnRole role = ColumnRole.None;
        bool missing = false;
        List<string>? categories = null;
        JsonElement? min = null, max = null;
        int? bins = null;
        int? dpBins = null;
        List<double>? edges = null;
        DateGranularity? granularity = null;
        foreach (JsonProperty p in element.EnumerateObject())
        {
            string at = $"{path}.{p.Name}";
            switch (p.Name)
            {
                case "name":
                    name = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : throw new SchemaException(at, "must be a string");
                    break;
                case "type":
                    type = ParseEnum<ColumnType>(p.Value, at, ("categorical", ColumnType.Categorical), ("integer", ColumnType.Integer), ("continuous", ColumnType.Continuous), ("date", ColumnType.Date), ("identifier", ColumnType.Identifier));
                    break;
                case "role":
                    role = ParseEnum<ColumnRole>(p.Value, at, ("quasi-identifier", ColumnRole.QuasiIdentifier), ("sensitive", ColumnRole.Sensitive), ("target", ColumnRole.Target), ("identifier", ColumnRole.Identifier), ("personKey", ColumnRole.PersonKey), ("none", ColumnRole.None));
                    break;
                case "missing":
                    missing = p.Value.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        _ => throw new SchemaException(at, "must be true or false"),
                    };
                    break;
                case "categories":
                    categories = ParseCategories(p.Value, at);
                    break;
                case "min":
                    min = p.Value.Clone();
                    break;
                case "max":
                    max = p.Value.Clone();
                    break;
                case "bins":
                    bins = p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt32(out int b) ? b : throw new SchemaException(at, "must be a whole number");
                    break;
                case "dpBins":
                    dpBins = p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt32(out int d) ? d : throw new SchemaException(at, "must be a whole number");
                    break;
                case "binEdges":
                    edges = ParseNumbers(p.Value, at);
                    break;
                case "granularity":
                    granularity = ParseEnum<DateGranularity>(p.Value, at, ("day", DateGranularity.Day), ("month", DateGranularity.Month), ("year", DateGranularity.Year));
                    break;
                default:
                    throw new SchemaException(at, "unknown column property");
            }
        }

        if (name is null)
        {
            throw new SchemaException(path, "missing required property 'name'");
        }

        if (type is null)
        {
            throw new SchemaException(path, $"column '{name}' is missing required property 'type' (categorical, integer, continuous, date or identifier)");
        }

        bool isDate = type == ColumnType.Date;
        return new ColumnSchema
        {
            Name = name,
            Type = type.Value,
            Role = role,
            AllowsMissing = missing,
            Categories = categories,
            Min = isDate || min is null ? null : ParseNumber(min.Value, path + ".min"),
            Max = isDate || max is null ? null : ParseNumber(max.Value, path + ".max"),
            MinDate = isDate && min is not null ? ParseDate(min.Value, path + ".min") : null,
            MaxDate = isDate && max is not null ? ParseDate(max.Value, path + ".max") : null,
            Bins = bins,
            BinEdges = edges,
            DpBins = dpBins,
            Granularity = isDate ? granularity ?? DateGranularity.Day : granularity,
        };
    }

    private static T ParseEnum<T>(JsonElement value, string path, params (string Text, T Value)[] options)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            string text = value.GetString()!;
            foreach ((string t, T v) in options)
            {
                if (string.Equals(t, text, StringComparison.OrdinalIgnoreCase))
                {
                    return v;
                }
            }
        }

        throw new SchemaException(path, $"must be one of {string.Join(", ", options.Select(o => "'" + o.Text + "'"))}");
    }

    private static List<string> ParseCategories(JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new SchemaException(path, "must be an array of strings");
        }

        var list = new List<string>();
        int i = 0;
        foreach (JsonElement item in value.EnumerateArray())
        {
            list.Add(item.ValueKind switch
            {
                JsonValueKind.String => item.GetString()!,
                JsonValueKind.Number => item.GetRawText(),
                _ => throw new SchemaException($"{path}[{i}]", "a category must be a string (or a number, taken literally)"),
            });
            i++;
        }

        return list;
    }

    private static List<string> ParseNames(JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new SchemaException(path, "must be an array of column names");
        }

        var list = new List<string>();
        int i = 0;
        foreach (JsonElement item in value.EnumerateArray())
        {
            list.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw new SchemaException($"{path}[{i}]", "must be a column name (a string)"));
            i++;
        }

        return list;
    }

    private static List<double> ParseNumbers(JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new SchemaException(path, "must be an array of numbers");
        }

        var list = new List<double>();
        int i = 0;
        foreach (JsonElement item in value.EnumerateArray())
        {
            list.Add(ParseNumber(item, $"{path}[{i++}]"));
        }

        return list;
    }

    private static double ParseNumber(JsonElement value, string path) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double d) && double.IsFinite(d)
            ? d
            : throw new SchemaException(path, "must be a finite number");

    private static DateOnly ParseDate(JsonElement value, string path) =>
        value.ValueKind == JsonValueKind.String && DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly date)
            ? date
            : throw new SchemaException(path, "must be a date string yyyy-MM-dd");
}
