namespace ReleaseGateway.Synthesis.Synthesizers;

/// <summary>
/// Resolution choices shared by the synthesizers. Each depends only on public quantities (domain
/// sizes, budget) and differentially private estimates (noisy record count, noisy 1-way marginals).
/// </summary>
internal static class SynthesisTuning
{
    /// <summary>C_p penalty per segment in units of sigma^2 (2 = unbiased risk estimate).</summary>
    public static double SegmentPenalty => Tune("PEN", 2);

    /// <summary>Share of the 1-way budget spent on the full-resolution stage (the rest measures the segments found).</summary>
    public static double OneWayFirstStageShare => Tune("SPLIT", 0.5);

    /// <summary>Share of the budget the adaptive method spends on its initial 1-way phase.</summary>
    public static double AimOneWayShare => Tune("AONE", 0.3);

    /// <summary>Nominal number of rounds of the adaptive method (sets the initial per-round budget; annealing shortens it).</summary>
    public static double AimRounds(int d) => Tune("ROUNDS", 4) * d;

    /// <summary>Mirror-descent iterations of the warm-started refit after each adaptive round.</summary>
    public static int RoundIterations => (int)Tune("RIT", 50);

    /// <summary>Mirror-descent iterations of the final fit.</summary>
    public const int Iterations = 500;

    /// <summary>Expected count per coarse cell, in noise standard deviations, below which a finer grid is not worth measuring.</summary>
    public static double CellSignalToNoise => Tune("SNR", 3);

    public static double Tune(string name, double fallback) => Environment.GetEnvironmentVariable("RGW_" + name) is { } v ? double.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    /// <summary>Largest number of coarse cells of a measured marginal with noise sigma, given noisy total n.</summary>
    public static int MaxCells(double total, double sigma) => (int)Math.Clamp(total / (CellSignalToNoise * sigma), 4, 1 << 20);

    /// <summary>Coarse cells of pair (a, b): each side grouped into equal-mass runs so the grid has at most <paramref name="maxCells"/> cells.</summary>
    public static (int[] Attributes, int[] CellMap, int CoarseSize) PairCells(int a, int b, IReadOnlyList<int> domain, double[][] oneWay, int maxCells)
    {
        int ka = domain[a], kb = domain[b];
        int ga, gb;
        if (ka * kb <= maxCells)
        {
            (ga, gb) = (ka, kb);
        }
        else
        {
            int side = Math.Max(2, (int)Math.Floor(Math.Sqrt(maxCells)));
            (ga, gb) = ka <= side ? (ka, Math.Max(2, maxCells / ka)) : kb <= side ? (Math.Max(2, maxCells / kb), kb) : (side, side);
            (ga, gb) = (Math.Min(ga, ka), Math.Min(gb, kb));
        }

        int[] mapA = Coarsening.EqualMass(oneWay[a], ga);
        int[] mapB = Coarsening.EqualMass(oneWay[b], gb);
        int[] attributes = [a, b];
        (int[] cellMap, int size) = Coarsening.CellMap(attributes, domain, [mapA, mapB]);
        return (attributes, cellMap, size);
    }

    /// <summary>Coarse cells of a triple, each side grouped to at most <paramref name="maxCells"/>^(1/3) equal-mass runs (binary columns stay whole).</summary>
    public static (int[] Attributes, int[] CellMap, int CoarseSize) TripleCells(int[] attributes, IReadOnlyList<int> domain, double[][] oneWay, int maxCells)
    {
        var groups = attributes.Select(a => domain[a]).ToArray();
        // Shrink the widest side until the grid fits.
        while (groups.Aggregate(1L, (p, g) => p * g) > maxCells)
        {
            int widest = Array.IndexOf(groups, groups.Max());
            if (groups[widest] <= 2)
            {
                break;
            }

            groups[widest]--;
        }

        var maps = attributes.Select((a, i) => Coarsening.EqualMass(oneWay[a], groups[i])).ToArray();
        (int[] cellMap, int size) = Coarsening.CellMap(attributes, domain, maps);
        return (attributes, cellMap, size);
    }

    /// <summary>The independent (product of 1-way estimates) coarse marginal, in counts.</summary>
    public static double[] IndependentEstimate((int[] Attributes, int[] CellMap, int CoarseSize) cells, IReadOnlyList<int> domain, double[][] oneWay, double total)
    {
        int[] attributes = cells.Attributes;
        var result = new double[cells.CoarseSize];
        int fine = cells.CellMap.Length;
        Span<int> digits = stackalloc int[attributes.Length];
        for (int cell = 0; cell < fine; cell++)
        {
            int rest = cell;
            double p = total;
            for (int i = attributes.Length - 1; i >= 0; i--)
            {
                int k = domain[attributes[i]];
                digits[i] = rest % k;
                rest /= k;
                p *= oneWay[attributes[i]][digits[i]] / total;
            }

            result[cells.CellMap[cell]] += p;
        }

        return result;
    }
}
