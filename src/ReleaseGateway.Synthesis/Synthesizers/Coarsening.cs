namespace ReleaseGateway.Synthesis.Synthesizers;

/// <summary>
/// Groupings of adjacent codes used to measure marginals at a coarser resolution than the domain.
/// Every grouping is computed from public information and already-noised estimates only, so it is
/// post-processing and costs no budget. The model keeps the full domain: within a group it spreads
/// mass by maximum entropy (i.e. following the finer 1-way estimates).
/// </summary>
internal static class Coarsening
{
    /// <summary>
    /// Piecewise-constant denoising of a noisy histogram z (noise variance sigma^2 per cell): the
    /// partition into runs of adjacent codes minimising SSE + penalty sigma^2 (segments), by dynamic
    /// programming. With penalty 2 this is Mallows' C_p / Stein's unbiased risk estimate for the
    /// segment means. Returns a map code -> segment.
    /// </summary>
    public static int[] Segment(ReadOnlySpan<double> z, double sigma2, double penalty)
    {
        int k = z.Length;
        var prefix = new double[k + 1];
        var prefix2 = new double[k + 1];
        for (int i = 0; i < k; i++)
        {
            prefix[i + 1] = prefix[i] + z[i];
            prefix2[i + 1] = prefix2[i] + z[i] * z[i];
        }

        double Sse(int from, int to)
        {
            double s = prefix[to] - prefix[from];
            return prefix2[to] - prefix2[from] - s * s / (to - from);
        }

        var best = new double[k + 1];
        var cut = new int[k + 1];
        for (int j = 1; j <= k; j++)
        {
            best[j] = double.MaxValue;
            for (int i = 0; i < j; i++)
            {
                double cost = best[i] + Sse(i, j) + penalty * sigma2;
                if (cost < best[j])
                {
                    best[j] = cost;
                    cut[j] = i;
                }
            }
        }

        var starts = new List<int>();
        for (int j = k; j > 0; j = cut[j])
        {
            starts.Add(cut[j]);
        }

        starts.Reverse();
        var map = new int[k];
        for (int s = 0; s < starts.Count; s++)
        {
            int end = s + 1 < starts.Count ? starts[s + 1] : k;
            for (int i = starts[s]; i < end; i++)
            {
                map[i] = s;
            }
        }

        return map;
    }

    /// <summary>
    /// At most <paramref name="groups"/> runs of adjacent codes of roughly equal estimated mass
    /// (quantile cuts of the noisy 1-way estimate <paramref name="mass"/>). Returns code -> group.
    /// </summary>
    public static int[] EqualMass(ReadOnlySpan<double> mass, int groups)
    {
        int k = mass.Length;
        var map = new int[k];
        if (groups >= k)
        {
            for (int i = 0; i < k; i++)
            {
                map[i] = i;
            }

            return map;
        }

        double total = 0;
        foreach (double m in mass)
        {
            total += Math.Max(m, 0);
        }

        double running = 0;
        int group = 0;
        for (int i = 0; i < k; i++)
        {
            map[i] = group;
            running += Math.Max(mass[i], 0);
            int remainingCodes = k - i - 1;
            int remainingGroups = groups - group - 1;
            // Cut after code i when its cumulative mass passes the next quantile, but never leave
            // more groups than codes still to place.
            bool pastQuantile = total > 0 && running >= total * (group + 1) / groups;
            if (remainingGroups > 0 && (pastQuantile || remainingCodes == remainingGroups))
            {
                group++;
            }
        }

        return map;
    }

    /// <summary>Number of groups of a code -> group map.</summary>
    public static int GroupCount(int[] map) => map.Length == 0 ? 0 : map.Max() + 1;

    /// <summary>Fine clique cell -> coarse cell, from per-attribute maps (row-major in both).</summary>
    public static (int[] CellMap, int CoarseSize) CellMap(int[] attributes, IReadOnlyList<int> domain, IReadOnlyList<int[]> groupMaps)
    {
        int fineSize = 1, coarseSize = 1;
        int[] groupCounts = groupMaps.Select(GroupCount).ToArray();
        foreach (int g in groupCounts)
        {
            coarseSize *= g;
        }

        foreach (int a in attributes)
        {
            fineSize *= domain[a];
        }

        var cellMap = new int[fineSize];
        Span<int> digits = stackalloc int[attributes.Length];
        for (int cell = 0; cell < fineSize; cell++)
        {
            int rest = cell;
            for (int p = attributes.Length - 1; p >= 0; p--)
            {
                digits[p] = rest % domain[attributes[p]];
                rest /= domain[attributes[p]];
            }

            int coarse = 0;
            for (int p = 0; p < attributes.Length; p++)
            {
                coarse = coarse * groupCounts[p] + groupMaps[p][digits[p]];
            }

            cellMap[cell] = coarse;
        }

        return (cellMap, coarseSize);
    }

    /// <summary>Identity map (no coarsening) for a column with <paramref name="k"/> codes.</summary>
    public static int[] Identity(int k) => Enumerable.Range(0, k).ToArray();
}
