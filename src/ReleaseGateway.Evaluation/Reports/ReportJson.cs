using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReleaseGateway.Evaluation.Reports;

/// <summary>JSON form of an <see cref="EvaluationReport"/> (schema "rgw.evaluation/1", see docs/evaluation.md): camelCase names, enums as strings, non-finite numbers as "NaN"/"Infinity".</summary>
public static class ReportJson
{
    /// <summary>Serializer settings used for reports.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Serialises a report.</summary>
    public static string Serialize(EvaluationReport report) => JsonSerializer.Serialize(report, Options);

    /// <summary>Reads a report back.</summary>
    /// <exception cref="JsonException">The text is not a report.</exception>
    public static EvaluationReport Deserialize(string json) =>
        JsonSerializer.Deserialize<EvaluationReport>(json, Options) ?? throw new JsonException("Empty report.");
}
