using System.Text.Json;
using ReleaseGateway.Synthesis.Models;

namespace ReleaseGateway.Releases.Reports;

/// <summary>
/// One noisy marginal the synthesizer measured and paid for: the counts of <see cref="Columns"/>' codes, aggregated into
/// coarse cells by <see cref="CellMap"/> (fine cell → coarse cell), each observed with discrete Gaussian noise of standard
/// deviation <see cref="Sigma"/>. Already differentially private: every function of it is post-processing (Dwork &amp; Roth
/// 2014, Prop. 2.1), so the release report compares the synthetic table with it at no further cost.
/// </summary>
public sealed record DpMarginal(IReadOnlyList<string> Columns, IReadOnlyList<int> CellMap, IReadOnlyList<double> Values, double Sigma, string Label);

/// <summary>The DP measurements of one generation, stored as an internal artifact beside the synthetic table.</summary>
public sealed record DpMeasurements(IReadOnlyList<DpMarginal> Marginals)
{
    public const string ArtifactName = "measurements.json";

    public static readonly DpMeasurements None = new([]);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The synthesizer's measurements with their column names (plain measurements: one noise variance for all cells).</summary>
    public static DpMeasurements From(IReadOnlyList<Measurement> measurements, IReadOnlyList<string> columnNames) => new(measurements
        .Select(m => new DpMarginal(m.Attributes.Select(a => columnNames[a]).ToArray(), m.CellMap, m.Values, Math.Sqrt(1 / m.Weights.Max()), m.Label))
        .ToArray());

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static DpMeasurements Parse(byte[] bytes) =>
        JsonSerializer.Deserialize<DpMeasurements>(bytes, Json) ?? throw new InvalidDataException("The measurements file is empty.");
}
