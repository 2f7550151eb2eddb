using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Privacy.Mechanisms;
using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Synthesis.Binning;

/// <summary>The outcome of <see cref="DpBinning.Place"/>.</summary>
/// <param name="Schema">The schema with every DP-binned column's edges filled in: it codes like hand-made <c>binEdges</c>.</param>
/// <param name="Edges">The edges placed, by column name; DP output, public like the schema.</param>
/// <param name="RhoSpent">zCDP per unit spent (equal to the budget given when any column was binned, else 0).</param>
/// <param name="EpsilonPerQuantile">The exponential mechanism's epsilon of each quantile (0 when none was drawn).</param>
public sealed record DpBinningResult(DatasetSchema Schema, IReadOnlyDictionary<string, IReadOnlyList<double>> Edges, double RhoSpent, double EpsilonPerQuantile);

/// <summary>
/// Places the bin edges of the columns a schema leaves to DP (<see cref="ColumnSchema.NeedsDpBins"/>: public bounds, no
/// bins) by DP quantiles (<see cref="DpQuantiles"/>, Smith 2011), spending a declared slice of the budget (ADR 0036).
/// </summary>
/// <remarks>
/// A column of b bins takes the b − 1 quantiles at 1/b, ..., (b − 1)/b. All quantiles of all such columns share the slice
/// rho evenly: each runs the exponential mechanism at epsilon = sqrt(8 rho / m) for m quantiles in all, which costs
/// epsilon²/8 zCDP (Cesar and Rogers 2021) and composes to exactly rho (Bun and Steinke 2016, Lemma 2.3). The utility's
/// sensitivity is 1 per row and k per person when each person keeps at most k rows (contribution bounding, ADR 0024),
/// so the slice is per unit and is not divided by k² as the synthesizer's row-level budget is. Missing cells are left
/// out; a person adds or removes at most k values either way. Integer columns get their inner edges rounded up to whole
/// numbers and coinciding edges merged: post-processing, free. The edges are public output, so they may appear in the
/// release, in the report and in an engine's SQL.
/// </remarks>
public static class DpBinning
{
    /// <summary>Places the edges; returns the schema unchanged and RhoSpent = 0 when no column needs DP bins.</summary>
    /// <param name="schema">The declared schema.</param>
    /// <param name="raw">The raw values of <see cref="DatasetSchema.DpBinnedColumns"/> (<see cref="CsvTableReader.ReadNumbers"/>).</param>
    /// <param name="keptRows">The rows kept by contribution bounding (null: every row).</param>
    /// <param name="rhoPerUnit">The slice of zCDP per unit to spend, &gt; 0.</param>
    /// <param name="maxRowsPerPerson">k (1 without a person key): the utility's sensitivity.</param>
    /// <param name="random">Secret random source (purpose-separated stream of the attempt key).</param>
    public static DpBinningResult Place(DatasetSchema schema, RawNumericColumns raw, IReadOnlyList<int>? keptRows, double rhoPerUnit, int maxRowsPerPerson, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRowsPerPerson, 1);
        IReadOnlyList<ColumnSchema> columns = schema.DpBinnedColumns;
        var edges = new Dictionary<string, IReadOnlyList<double>>(StringComparer.Ordinal);
        if (columns.Count == 0)
        {
            return new DpBinningResult(schema, edges, 0, 0);
        }

        int quantiles = columns.Sum(c => c.DpBinCount - 1);
        double epsilon = DpQuantiles.EpsilonPerQuantile(rhoPerUnit, quantiles);
        foreach (ColumnSchema column in columns)
        {
            int index = raw.Names.ToList().IndexOf(column.Name);
            double[] all = index >= 0 ? raw.Values[index] : throw new ArgumentException($"no raw values for column '{column.Name}'", nameof(raw));
            IEnumerable<double> values = keptRows is null ? all : keptRows.Select(r => all[r]);
            double[] present = values.Where(v => !double.IsNaN(v)).ToArray();
            double[] placed = DpQuantiles.BinEdges(random, present, column.DpBinCount, column.Min!.Value, column.Max!.Value, epsilon, maxRowsPerPerson);
            edges[column.Name] = column.Type == ColumnType.Integer ? WholeNumbers(placed) : placed;
        }

        return new DpBinningResult(schema.WithBinEdges(edges), edges, DpQuantiles.Rho(epsilon, quantiles), epsilon);
    }

    /// <summary>Inner edges rounded up to whole numbers, coinciding ones merged, so every bin holds an integer.</summary>
    private static double[] WholeNumbers(double[] edges)
    {
        var whole = new List<double> { edges[0] };
        for (int i = 1; i < edges.Length - 1; i++)
        {
            double e = Math.Ceiling(edges[i]);
            if (e > whole[^1] && e < edges[^1])
            {
                whole.Add(e);
            }
        }

        whole.Add(edges[^1]);
        return [.. whole];
    }
}
