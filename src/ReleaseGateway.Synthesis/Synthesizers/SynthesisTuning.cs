namespace ReleaseGateway.Synthesis.Synthesizers;

/// <summary>
/// Resolution choices shared by the synthesizers. Each depends only on public quantities (domain
/// sizes, budget) and differentially private estimates (noisy record count, noisy 1-way marginals).
/// </summary>
internal static class SynthesisTuning
{
    /// <summary>
    /// Penalty per segment in units of sigma^2. C_p would use 2, but the split points are chosen to fit
    /// the noise, which biases C_p towards too many segments; 4 (chosen on the benchmark, ADR 0005)
    /// compensates.
    /// </summary>
    public const double SegmentPenalty = 4;

    /// <summary>Share of the 1-way budget spent on the full-resolution stage (the rest measures the segments found).</summary>
    public const double OneWayFirstStageShare = 0.7;

    /// <summary>Share of the budget the adaptive method spends on its initial 1-way phase.</summary>
    public const double AimOneWayShare = 0.4;

    /// <summary>
    /// Nominal number of rounds of the adaptive method, one per column: sets the initial per-round
    /// budget (AIM uses 16 d; at these table sizes that buys noise-dominated first rounds).
    /// </summary>
    public static double AimRounds(int d) => d;

    /// <summary>
    /// AIM's model-size cap, in cells of the junction tree (all maximal cliques together), reached when the whole budget
    /// is spent (AIM caps the model at 80 MB of float64, 10^7 cells; 2^18 keeps each refit well under a second, ADR 0035).
    /// </summary>
    public const double ModelCellCap = 1 << 18;

    /// <summary>Largest intermediate table (cells) inference may build to score a candidate marginal that spans several cliques.</summary>
    public const double ProjectionCellLimit = 1 << 17;

    /// <summary>Mirror-descent iterations of the warm-started refit after each adaptive round.</summary>
    public const int RoundIterations = 50;

    /// <summary>Mirror-descent iterations of the final fit.</summary>
    public const int Iterations = 500;

    /// <summary>Expected count per coarse cell, in noise standard deviations, below which a finer grid is not worth measuring.</summary>
    public const double CellSignalToNoise = 3;

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

    /// <summary>Coarse cells of a set of columns: the column with the most groups is merged (equal-mass runs) until the grid has at most <paramref name="maxCells"/> cells.</summary>
    public static (int[] Attributes, int[] CellMap, int CoarseSize) TupleCells(int[] attributes, IReadOnlyList<int> domain, double[][] oneWay, int maxCells)
    {
        int[] groups = attributes.Select(a => domain[a]).ToArray();
        while (groups.Aggregate(1L, (p, g) => p * g) > maxCells)
        {
            int widest = Array.IndexOf(groups, groups.Max());
            if (groups[widest] <= 2)
            {
                break;
            }

            groups[widest] = Math.Max(2, (int)(groups[widest] * 0.8));
        }

        int[][] maps = attributes.Select((a, i) => groups[i] == domain[a] ? Coarsening.Identity(domain[a]) : Coarsening.EqualMass(oneWay[a], groups[i])).ToArray();
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
