using System.Text.Json;
using System.Text.Json.Serialization;
using ReleaseGateway.Datasets.Schema;

namespace ReleaseGateway.Releases.Reports;

/// <summary>One column of the data dictionary, from the public schema.</summary>
public sealed record CodebookColumn(string Name, string Type, string Role, bool AllowsMissing, IReadOnlyList<string> Codes);

/// <summary>A column's distribution in the synthetic table (code label → share of synthetic rows).</summary>
public sealed record SyntheticProfile(string Column, IReadOnlyList<string> Codes, IReadOnlyList<double> Shares);

/// <summary>
/// How well the synthetic table matches one noisy marginal the synthesizer paid for: total variation distance between the
/// synthetic shares and the noisy shares, and the distance noise alone would cause (the error bar: <c>NoiseTvd</c>, the
/// expected TVD of pure noise, cells·σ·√(2/π) / (2·noisy total)). Per-cell shares with ±σ/total for 1-way marginals.
/// </summary>
public sealed record MarginalFidelity(IReadOnlyList<string> Columns, string Label, int Cells, double Sigma, double NoisyTotal, double Tvd, double NoiseTvd,
    IReadOnlyList<CellComparison>? CellShares);

public sealed record CellComparison(string Cell, double Synthetic, double Noisy, double NoisyError);

/// <summary>The release report: privacy statement, public facts, data dictionary, synthetic profiles and fidelity to the DP measurements.</summary>
public sealed record ReleaseReport(
    string Format,
    ReleaseFacts Facts,
    string PrivacyStatement,
    int SyntheticRows,
    IReadOnlyList<CodebookColumn> Codebook,
    IReadOnlyList<SyntheticProfile> Profiles,
    IReadOnlyList<MarginalFidelity> Fidelity)
{
    public const string CurrentFormat = "rgw-release-report/1";
    public const string JsonName = "release-report.json";
    public const string HtmlName = "release-report.html";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static ReleaseReport Parse(byte[] bytes) => JsonSerializer.Deserialize<ReleaseReport>(bytes, Json) ?? throw new InvalidDataException("empty report");

    /// <summary>The data dictionary of the released columns, from the public schema only.</summary>
    public static IReadOnlyList<CodebookColumn> CodebookOf(DatasetSchema schema) => schema.SynthesisColumns
        .Select(c => new CodebookColumn(c.Name, c.Type.ToString(), c.Role.ToString(), c.AllowsMissing,
            Enumerable.Range(0, c.DomainSize).Select(code => CodeLabel(c, code)).ToArray()))
        .ToArray();

    internal static string CodeLabel(ColumnSchema column, int code)
    {
        if (code == column.MissingCode) return "(missing)";
        return column.Type switch
        {
            ColumnType.Categorical => column.Categories![code],
            ColumnType.Date => column.MinDate!.Value.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + $" + {code} {column.Granularity ?? DateGranularity.Day}",
            _ => column.BinBounds(code) is var (low, high) && low == high
                ? low.ToString(System.Globalization.CultureInfo.InvariantCulture)
                : FormattableString.Invariant($"[{low:G6}, {high:G6}{(code == column.ValueCodeCount - 1 ? "]" : ")")}"),
        };
    }
}
