using ReleaseGateway.Datasets.Sources;

namespace ReleaseGateway.Synthesis.Marginals;

/// <summary>
/// An <see cref="IMarginalSource"/> whose counts a database engine computes (<see cref="EngineSplit"/>, ADR 0038): the
/// training part never enters the gateway, only contingency tables do, so memory does not grow with the number of rows.
/// The first request counts every 1- and 2-way marginal in one pass (<c>GROUPING SETS</c>), up to
/// <paramref name="prefetchCells"/> cells in all, and keeps them; any other set is one more query. The counts are exactly
/// those of the in-memory source on the same training rows, so the guarantee and the noise calibration are unchanged.
/// </summary>
/// <param name="split">The training part, in the engine.</param>
/// <param name="prefetchCells">Largest total number of cells counted in the first pass and kept in memory.</param>
public sealed class EngineMarginalSource(EngineSplit split, long prefetchCells) : IMarginalSource
{
    private readonly EngineSplit split = split ?? throw new ArgumentNullException(nameof(split));
    private readonly Dictionary<string, double[]> cache = [];
    private bool prefetched;

    /// <inheritdoc />
    public IReadOnlyList<string> ColumnNames => split.ColumnNames;

    /// <inheritdoc />
    public IReadOnlyList<int> DomainSizes => split.DomainSizes;

    /// <summary>Number of queries sent to the engine so far (one pass each).</summary>
    public int Queries { get; private set; }

    /// <inheritdoc />
    public double[] Count(IReadOnlyList<int> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (!prefetched)
        {
            prefetched = true;
            Prefetch();
        }

        string key = string.Join(",", columns);
        if (!cache.TryGetValue(key, out double[]? counts))
        {
            Queries++;
            counts = Array.ConvertAll(split.Count(columns), c => (double)c);
            cache[key] = counts;
        }

        return (double[])counts.Clone();
    }

    private void Prefetch()
    {
        int d = DomainSizes.Count;
        var sets = new List<IReadOnlyList<int>>();
        long cells = 0;
        foreach (var set in Enumerable.Range(0, d).Select(a => (IReadOnlyList<int>)[a])
                     .Concat(Enumerable.Range(0, d).SelectMany(a => Enumerable.Range(a + 1, d - a - 1).Select(b => (IReadOnlyList<int>)[a, b]))))
        {
            long size = set.Aggregate(1L, (s, c) => s * DomainSizes[c]);
            if (cells + size > prefetchCells) continue;
            cells += size;
            sets.Add(set);
        }

        if (sets.Count == 0) return;
        Queries++;
        var counts = split.CountMany(sets);
        for (int i = 0; i < sets.Count; i++) cache[string.Join(",", sets[i])] = Array.ConvertAll(counts[i], c => (double)c);
    }
}
