using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Datasets.Data;

namespace ReleaseGateway.Synthesis.Marginals;

/// <summary>
/// The project's fidelity yardstick (shared/data/README.md, shared/tools/score.py): for k = 1, 2, 3
/// the mean over k-way column sets W of the total variation distance
/// TVD(W) = 1/2 sum over cells |p_real(W) - p_syn(W)| between normalised contingency tables.
/// Lower is better; 0 means identical marginals.
/// </summary>
/// <remarks>
/// When there are more than <c>maxSets</c> k-way sets a fixed-seed sample of that many is used, as
/// score.py does; our sample comes from our own generator, so on tables with more than 300 triples
/// tvd3 is an equally unbiased estimate over a different subset than score.py's.
/// </remarks>
public static class WorkloadError
{
    /// <summary>Mean TVD over k-way marginals (at most <paramref name="maxSets"/> sets, sampled with <paramref name="seed"/>).</summary>
    public static double MeanTvd(EncodedTable real, EncodedTable synthetic, int k, int maxSets = 300, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(real);
        ArgumentNullException.ThrowIfNull(synthetic);
        if (!real.DomainSizes.SequenceEqual(synthetic.DomainSizes) || !real.ColumnNames.SequenceEqual(synthetic.ColumnNames))
        {
            throw new ArgumentException("both tables must have the same columns and domain");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        List<int[]> sets = Combinations(real.ColumnCount, k).ToList();
        if (sets.Count > maxSets)
        {
            var random = new SeededRandomSource(seed);
            int[][] shuffled = sets.ToArray();
            random.Shuffle(shuffled.AsSpan());
            sets = shuffled.Take(maxSets).ToList();
        }

        var realSource = new TableMarginalSource(real);
        var synthSource = new TableMarginalSource(synthetic);
        double sum = 0;
        foreach (int[] set in sets)
        {
            sum += Tvd(realSource.Count(set), synthSource.Count(set));
        }

        return sets.Count == 0 ? 0 : sum / sets.Count;
    }

    /// <summary>TVD between two count vectors after normalising each to sum 1.</summary>
    public static double Tvd(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sa = 0, sb = 0;
        foreach (double x in a)
        {
            sa += x;
        }

        foreach (double x in b)
        {
            sb += x;
        }

        double total = 0;
        for (int i = 0; i < a.Length; i++)
        {
            total += Math.Abs((sa > 0 ? a[i] / sa : 0) - (sb > 0 ? b[i] / sb : 0));
        }

        return total / 2;
    }

    private static IEnumerable<int[]> Combinations(int n, int k)
    {
        var current = new int[k];
        IEnumerable<int[]> Recurse(int start, int depth)
        {
            if (depth == k)
            {
                yield return (int[])current.Clone();
                yield break;
            }

            for (int i = start; i < n; i++)
            {
                current[depth] = i;
                foreach (int[] c in Recurse(i + 1, depth + 1))
                {
                    yield return c;
                }
            }
        }

        return Recurse(0, 0);
    }
}
