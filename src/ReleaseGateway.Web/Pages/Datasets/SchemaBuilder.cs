using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ReleaseGateway.Datasets.Schema;

namespace ReleaseGateway.Web.Pages.Datasets;

/// <summary>One column of the schema as the steward fills it in; numbers stay text so the schema's own parser judges them.</summary>
public sealed class SchemaColumnForm
{
    public string? Name { get; set; }

    /// <summary>The schema's type keyword: categorical, integer, continuous, date or identifier.</summary>
    public string Type { get; set; } = "integer";

    /// <summary>The schema's role keyword (docs/schema.md), none by default.</summary>
    public string Role { get; set; } = "none";

    public bool Missing { get; set; }

    /// <summary>A protected attribute: the evaluation reports on its categories as subgroups.</summary>
    public bool Protected { get; set; }

    /// <summary>One category per line, in code order.</summary>
    public string? Categories { get; set; }

    public string? Min { get; set; }

    public string? Max { get; set; }

    /// <summary>How a numeric column is binned: <c>none</c>, <c>bins</c> (equal width), <c>edges</c> or <c>dp</c> (DP quantiles).</summary>
    public string Binning { get; set; } = "none";

    /// <summary>The number of bins when <see cref="Binning"/> is <c>bins</c> or <c>dp</c>.</summary>
    public string? Bins { get; set; }

    /// <summary>Bin edges separated by commas or spaces.</summary>
    public string? BinEdges { get; set; }

    public string Granularity { get; set; } = "day";
}

/// <summary>
/// Turns the column-by-column form into the schema document of docs/schema.md and back. It decides nothing about
/// validity: what it writes goes through the same command and <see cref="DatasetSchema.Parse"/> as the API's, and the
/// JSON path of a refusal is placed back beside the field it names.
/// </summary>
public static partial class SchemaBuilder
{
    public static readonly IReadOnlyList<(string Value, string Title)> Types =
        [("integer", "Integer"), ("continuous", "Continuous (real numbers)"), ("categorical", "Categorical"), ("date", "Date"), ("identifier", "Identifier (never released)")];

    public static readonly IReadOnlyList<(string Value, string Title)> RoleChoices =
        [("none", "None"), ("quasi-identifier", "Quasi-identifier"), ("sensitive", "Sensitive"), ("target", "Target (the outcome)"),
         ("identifier", "Identifier (dropped)"), ("personKey", "Person key (the privacy unit)")];

    public static readonly IReadOnlyList<(string Value, string Title)> BinningChoices =
        [("none", "One code per value (integers)"), ("bins", "Equal-width bins"), ("edges", "Bin edges"), ("dp", "Edges from DP quantiles")];

    public static readonly IReadOnlyList<(string Value, string Title)> Granularities = [("day", "Day"), ("month", "Month"), ("year", "Year")];

    /// <summary>The schema document the form describes (indented, as a steward would write it).</summary>
    public static string ToJson(IReadOnlyList<SchemaColumnForm> columns, string outOfDomain)
    {
        var array = new JsonArray();
        foreach (var c in columns) array.Add(Column(c));
        var root = new JsonObject { ["columns"] = array };
        if (outOfDomain == "clip") root["outOfDomain"] = "clip";
        var protectedColumns = columns.Where(c => c.Protected).Select(c => (JsonNode?)JsonValue.Create(c.Name ?? "")).ToArray();
        if (protectedColumns.Length > 0) root["protectedAttributes"] = new JsonArray(protectedColumns);
        return root.ToJsonString(Indented);
    }

    private static JsonObject Column(SchemaColumnForm c)
    {
        var type = c.Type.Trim();
        var column = new JsonObject { ["name"] = (c.Name ?? "").Trim(), ["type"] = type };
        if (c.Role is { Length: > 0 } role && role != "none") column["role"] = role;
        if (c.Missing) column["missing"] = true;
        switch (type)
        {
            case "categorical":
                var categories = Lines(c.Categories).ToArray();
                if (categories.Length > 0) column["categories"] = new JsonArray(categories.Select(k => (JsonNode?)JsonValue.Create(k)).ToArray());
                break;
            case "integer" or "continuous":
                SetIfGiven(column, "min", c.Min, Number);
                SetIfGiven(column, "max", c.Max, Number);
                switch (c.Binning)
                {
                    case "bins": SetIfGiven(column, "bins", c.Bins, Whole); break;
                    case "dp": SetIfGiven(column, "dpBins", c.Bins, Whole); break;
                    case "edges":
                        var edges = Separators().Split(c.BinEdges ?? "").Where(e => e.Length > 0).Select(Number).ToArray();
                        if (edges.Length > 0) column["binEdges"] = new JsonArray(edges);
                        break;
                }
                break;
            case "date":
                SetIfGiven(column, "min", c.Min, v => JsonValue.Create(v));
                SetIfGiven(column, "max", c.Max, v => JsonValue.Create(v));
                if (c.Granularity is { Length: > 0 } g && g != "day") column["granularity"] = g;
                break;
        }
        return column;
    }

    /// <summary>The columns of a schema document, for editing in the form.</summary>
    /// <exception cref="SchemaException">The document is not a valid schema; its message gives the JSON path.</exception>
    public static (List<SchemaColumnForm> Columns, string OutOfDomain) FromJson(string json)
    {
        var schema = DatasetSchema.Parse(json);
        var columns = schema.Columns.Select(c => new SchemaColumnForm
        {
            Name = c.Name,
            Type = c.Type.ToString().ToLowerInvariant(),
            Role = RoleKeyword(c.Role),
            Missing = c.AllowsMissing,
            Protected = schema.ProtectedAttributes.Contains(c.Name),
            Categories = c.Categories is { } k ? string.Join("\n", k) : null,
            Min = c.MinDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? Text(c.Min),
            Max = c.MaxDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? Text(c.Max),
            Binning = c.Bins is not null ? "bins" : c.BinEdges is not null ? "edges" : c.DpBins is not null ? "dp" : "none",
            Bins = (c.Bins ?? c.DpBins)?.ToString(CultureInfo.InvariantCulture),
            BinEdges = c.BinEdges is { } e ? string.Join(", ", e.Select(x => Text(x))) : null,
            Granularity = (c.Granularity ?? DateGranularity.Day).ToString().ToLowerInvariant(),
        }).ToList();
        return (columns, schema.OutOfDomain == OutOfDomainPolicy.Clip ? "clip" : "error");
    }

    /// <summary>
    /// The form field a schema refusal is about, from the JSON path its message starts with: a column's property, the
    /// column as a whole, or the protected flag of the column a <c>protectedAttributes</c> entry came from; null when
    /// the message names no column.
    /// </summary>
    public static string? FieldOf(string detail, IReadOnlyList<SchemaColumnForm> columns, string prefix)
    {
        var match = SchemaPath().Match(detail);
        if (!match.Success) return null;
        if (match.Groups["protected"].Success)
        {
            var entry = int.Parse(match.Groups["protected"].Value, CultureInfo.InvariantCulture);
            var owners = columns.Select((c, i) => (c, i)).Where(x => x.c.Protected).Select(x => x.i).ToList();
            return entry < owners.Count ? $"{prefix}[{owners[entry]}].{nameof(SchemaColumnForm.Protected)}" : null;
        }
        var index = int.Parse(match.Groups["column"].Value, CultureInfo.InvariantCulture);
        if (index >= columns.Count) return null;
        var property = match.Groups["property"].Value switch
        {
            "name" => nameof(SchemaColumnForm.Name),
            "type" => nameof(SchemaColumnForm.Type),
            "role" => nameof(SchemaColumnForm.Role),
            "missing" => nameof(SchemaColumnForm.Missing),
            "categories" => nameof(SchemaColumnForm.Categories),
            "min" => nameof(SchemaColumnForm.Min),
            "max" => nameof(SchemaColumnForm.Max),
            "bins" or "dpBins" => nameof(SchemaColumnForm.Bins),
            "binEdges" => nameof(SchemaColumnForm.BinEdges),
            "granularity" => nameof(SchemaColumnForm.Granularity),
            _ => null,
        };
        return property is null ? $"{prefix}[{index}]" : $"{prefix}[{index}].{property}";
    }

    private static string RoleKeyword(ColumnRole role) => role switch
    {
        ColumnRole.QuasiIdentifier => "quasi-identifier",
        ColumnRole.PersonKey => "personKey",
        _ => role.ToString().ToLowerInvariant(),
    };

    private static IEnumerable<string> Lines(string? text) =>
        (text ?? "").Split('\n').Select(l => l.TrimEnd('\r').Trim()).Where(l => l.Length > 0);

    private static void SetIfGiven(JsonObject column, string property, string? text, Func<string, JsonNode?> value)
    {
        if (text?.Trim() is { Length: > 0 } given) column[property] = value(given);
    }

    // Text that is not a number stays text: the parser then refuses it with its path ("must be a finite number").
    private static JsonNode? Number(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? JsonValue.Create(d) : JsonValue.Create(text);

    private static JsonNode? Whole(string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? JsonValue.Create(n) : JsonValue.Create(text);

    private static string? Text(double? value) => value?.ToString("R", CultureInfo.InvariantCulture);

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [GeneratedRegex(@"^\$\.(?:columns\[(?<column>\d+)\](?:\.(?<property>\w+))?|protectedAttributes\[(?<protected>\d+)\])")]
    private static partial Regex SchemaPath();

    [GeneratedRegex(@"[\s,;]+")]
    private static partial Regex Separators();
}
