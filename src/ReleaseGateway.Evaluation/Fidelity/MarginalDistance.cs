using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Evaluation.Tables;

namespace ReleaseGateway.Evaluation.Fidelity;

/// <summary>Mean and maximum TVD over the k-way marginals compared.</summary>
/// <param name="Way">k.</param>
/// <param name="Mean">Mean TVD.</param>
/// <param name="Max">Largest TVD.</param>
/// <param name="Marginals">Number of column sets compared.</param>
/// <param name="Worst">Columns of the worst marginal.</param>
public sealed record TvdSummary(int Way, double Mean, double Max, int Marginals, IReadOnlyList<string> Worst);

/// <summary>
/// The project's yardstick (shared/data/README.md): tvd_k = mean over k-way column sets W of
/// ½·Σ_cells |p_R(W) − p_S(W)|, with p the normalised contingency table; at most 300 column sets per k,
/// sampled with a fixed seed when there are more (as in shared/tools/score.py). Columns are first put on a
/// common discrete domain by <see cref="MarginalCoder"/>.
/// </summary>
public static class MarginalDistance
{
    /// <summary>Cap on column sets per k.</summary>
    public const int MaxMarginals = 300;

    /// <summary>TVD summary of the k-way marginals of two coded tables (k ≤ number of columns).</summary>
    public static TvdSummary Compute(CodedTable real, CodedTable synthetic, int way, int seed)
    {
        ArgumentNullException.ThrowIfNull(real);
        ArgumentNullException.ThrowIfNull(synthetic);
        ArgumentOutOfRangeException.ThrowIfLessThan(way, 1);
        var p = real.Names.Count;
        if (way > p)
        {
            return new TvdSummary(way, 0, 0, 0, []);
        }

        var sets = Combinations(p, way).ToList();
        if (sets.Count > MaxMarginals)
        {
            var order = sets.ToArray();
            new SeededRandomSource(seed).Shuffle(order);
            sets = order[..MaxMarginals].ToList();
        }

        var tvds = new double[sets.Count];
        Parallel.For(0, sets.Count, i => tvds[i] = Tvd(real, synthetic, sets[i]));
        var worst = Array.IndexOf(tvds, tvds.Max());
        return new TvdSummary(way, tvds.Average(), tvds[worst], sets.Count, sets[worst].Select(c => real.Names[c]).ToArray());
    }

    /// <summary>TVD between the marginals of two coded tables on the given columns.</summary>
    public static double Tvd(CodedTable real, CodedTable synthetic, IReadOnlyList<int> columns)
    {
        ArgumentNullException.ThrowIfNull(real);
        ArgumentNullException.ThrowIfNull(synthetic);
        ArgumentNullException.ThrowIfNull(columns);
        if (real.Rows == 0 || synthetic.Rows == 0)
        {
            // An empty table has no distribution; the distance to anything is maximal.
            return real.Rows == synthetic.Rows ? 0 : 1;
        }

        var counts = new Dictionary<long, double>();
        Accumulate(real, columns, counts, 1.0 / real.Rows);
        Accumulate(synthetic, columns, counts, -1.0 / synthetic.Rows);
        return 0.5 * counts.Values.Sum(Math.Abs);
    }

    private static void Accumulate(CodedTable table, IReadOnlyList<int> columns, Dictionary<long, double> counts, double weight)
    {
        for (var r = 0; r < table.Rows; r++)
        {
            long key = 0;
            foreach (var c in columns)
            {
                key = key * table.DomainSizes[c] + table.Codes[c][r];
            }

            counts[key] = counts.GetValueOrDefault(key) + weight;
        }
    }

    private static IEnumerable<int[]> Combinations(int n, int k)
    {
        var current = Enumerable.Range(0, k).ToArray();
        while (true)
        {
            yield return (int[])current.Clone();
            var i = k - 1;
            while (i >= 0 && current[i] == n - k + i)
            {
                i--;
            }

            if (i < 0)
            {
                yield break;
            }

            current[i]++;
            for (var j = i + 1; j < k; j++)
            {
                current[j] = current[j - 1] + 1;
            }
        }
    }
}

/// <summary>Tables on a common discrete domain: codes per column in 0..DomainSizes[c]−1.</summary>
/// <param name="Names">Column names.</param>
/// <param name="DomainSizes">Codes per column.</param>
/// <param name="Codes">Column-major codes.</param>
/// <param name="Rows">Row count.</param>
public sealed record CodedTable(IReadOnlyList<string> Names, IReadOnlyList<int> DomainSizes, int[][] Codes, int Rows);

/// <summary>
/// Puts real and synthetic columns on one discrete domain the way the shared benchmark files are coded:
/// a categorical column keeps its codes; a numeric column with at most 32 distinct real values gets one code
/// per value (a synthetic value takes the code of the nearest real value), otherwise 32 equal-width bins over
/// the real range (values beyond it fall into the end bins); a missing value has a code of its own.
/// </summary>
public sealed class MarginalCoder
{
    /// <summary>Bins of a numeric column with many values (as in the shared data).</summary>
    public const int Bins = 32;

    private readonly int[] columns;
    private readonly double[][] points;
    private readonly bool[] binned;
    private readonly int[] sizes;

    private MarginalCoder(int[] columns, double[][] points, bool[] binned, int[] sizes)
    {
        this.columns = columns;
        this.points = points;
        this.binned = binned;
        this.sizes = sizes;
    }

    /// <summary>Fits the coding of <paramref name="columns"/> on the real table.</summary>
    public static MarginalCoder Fit(EvalTable real, IReadOnlyList<int> columns)
    {
        ArgumentNullException.ThrowIfNull(real);
        ArgumentNullException.ThrowIfNull(columns);
        var points = new double[columns.Count][];
        var binned = new bool[columns.Count];
        var sizes = new int[columns.Count];
        for (var j = 0; j < columns.Count; j++)
        {
            var column = real.Columns[columns[j]];
            if (column.Kind == ValueKind.Categorical)
            {
                points[j] = [];
                sizes[j] = column.Spec.LevelCount + 1;
                continue;
            }

            var distinct = column.Values.Where(v => !double.IsNaN(v)).Distinct().Order().ToArray();
            if (distinct.Length <= Bins)
            {
                points[j] = distinct.Length == 0 ? [0.0] : distinct;
            }
            else
            {
                binned[j] = true;
                points[j] = [distinct[0], distinct[^1]];
            }

            sizes[j] = (binned[j] ? Bins : points[j].Length) + 1;
        }

        return new MarginalCoder(columns.ToArray(), points, binned, sizes);
    }

    /// <summary>Codes <paramref name="table"/> on the fitted domain.</summary>
    public CodedTable Transform(EvalTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var codes = new int[columns.Length][];
        for (var j = 0; j < columns.Length; j++)
        {
            var column = table.Columns[columns[j]];
            var missing = sizes[j] - 1;
            codes[j] = new int[table.RowCount];
            for (var r = 0; r < table.RowCount; r++)
            {
                if (column.IsMissing(r))
                {
                    codes[j][r] = missing;
                }
                else if (column.Kind == ValueKind.Categorical)
                {
                    codes[j][r] = column.Codes[r];
                }
                else if (binned[j])
                {
                    var (lo, hi) = (points[j][0], points[j][1]);
                    var bin = (int)Math.Floor((column.Values[r] - lo) / (hi - lo) * Bins);
                    codes[j][r] = Math.Clamp(bin, 0, Bins - 1);
                }
                else
                {
                    codes[j][r] = Nearest(points[j], column.Values[r]);
                }
            }
        }

        return new CodedTable(columns.Select(c => table.Columns[c].Name).ToArray(), sizes, codes, table.RowCount);
    }

    private static int Nearest(double[] sorted, double v)
    {
        var index = Array.BinarySearch(sorted, v);
        if (index >= 0)
        {
            return index;
        }

        index = ~index;
        if (index == 0)
        {
            return 0;
        }

        if (index == sorted.Length)
        {
            return sorted.Length - 1;
        }

        return v - sorted[index - 1] <= sorted[index] - v ? index - 1 : index;
    }
}
