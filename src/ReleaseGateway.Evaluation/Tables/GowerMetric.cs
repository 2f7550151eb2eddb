using System.Numerics;

namespace ReleaseGateway.Evaluation.Tables;

/// <summary>Rows of a table laid out for fast Gower distance computation (row-major, numeric values pre-scaled by range).</summary>
public sealed class GowerRows
{
    internal GowerRows(int count, int numeric, int categorical, float[] values, int[] codes)
    {
        Count = count;
        NumericWidth = numeric;
        CategoricalWidth = categorical;
        Values = values;
        Codes = codes;
    }

    /// <summary>Number of rows.</summary>
    public int Count { get; }

    internal int NumericWidth { get; }

    internal int CategoricalWidth { get; }

    internal float[] Values { get; }

    internal int[] Codes { get; }
}

/// <summary>The k nearest candidates of each query, nearest first.</summary>
/// <param name="Indices">Query-major k indices into the candidate rows (−1 when fewer than k candidates exist).</param>
/// <param name="Distances">Matching Gower distances in [0, 1].</param>
/// <param name="K">Neighbours per query.</param>
public sealed record Neighbours(int[] Indices, float[] Distances, int K)
{
    /// <summary>Distance from query <paramref name="query"/> to its nearest candidate.</summary>
    public float Nearest(int query) => Distances[query * K];
}

/// <summary>
/// Gower's (1971) dissimilarity over mixed types, restricted to a set of columns:
/// d(x, y) = (1/p)·Σ_j d_j, with d_j = min(1, |x_j − y_j|/R_j) for a numeric column of range R_j and
/// d_j = [x_j ≠ y_j] for a categorical one; two missing values agree (0), one missing value differs (1).
/// This is the distance Anonymeter uses (Giomi et al. 2023), so neighbour-based attacks are comparable.
/// </summary>
public sealed class GowerMetric
{
    private readonly int[] numericColumns;
    private readonly int[] categoricalColumns;
    private readonly double[] ranges;

    private GowerMetric(int[] numericColumns, int[] categoricalColumns, double[] ranges)
    {
        this.numericColumns = numericColumns;
        this.categoricalColumns = categoricalColumns;
        this.ranges = ranges;
    }

    /// <summary>Number of columns p in the denominator.</summary>
    public int Width => numericColumns.Length + categoricalColumns.Length;

    /// <summary>
    /// Metric over <paramref name="columns"/> (indices into the tables' columns) with numeric ranges
    /// taken over all <paramref name="tables"/>; a constant column gets range 1 so it never divides by zero.
    /// </summary>
    public static GowerMetric Fit(IReadOnlyList<int> columns, params EvalTable[] tables)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (tables.Length == 0)
        {
            throw new ArgumentException("At least one table is needed to fit ranges.", nameof(tables));
        }

        if (columns.Count == 0)
        {
            throw new ArgumentException("At least one column is needed.", nameof(columns));
        }

        var numeric = new List<int>();
        var categorical = new List<int>();
        var ranges = new List<double>();
        foreach (var c in columns)
        {
            var spec = tables[0].Columns[c].Spec;
            if (spec.Kind == ValueKind.Categorical)
            {
                categorical.Add(c);
                continue;
            }

            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            foreach (var table in tables)
            {
                foreach (var v in table.Columns[c].Values)
                {
                    if (!double.IsNaN(v))
                    {
                        min = Math.Min(min, v);
                        max = Math.Max(max, v);
                    }
                }
            }

            numeric.Add(c);
            ranges.Add(max > min ? max - min : 1.0);
        }

        return new GowerMetric(numeric.ToArray(), categorical.ToArray(), ranges.ToArray());
    }

    /// <summary>Lays out <paramref name="table"/> for this metric.</summary>
    public GowerRows Encode(EvalTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var n = table.RowCount;
        var pn = numericColumns.Length;
        var pc = categoricalColumns.Length;
        var values = new float[n * pn];
        var codes = new int[n * pc];
        for (var j = 0; j < pn; j++)
        {
            var column = table.Columns[numericColumns[j]].Values;
            var scale = 1.0 / ranges[j];
            for (var i = 0; i < n; i++)
            {
                values[i * pn + j] = (float)(column[i] * scale);
            }
        }

        for (var j = 0; j < pc; j++)
        {
            var column = table.Columns[categoricalColumns[j]].Codes;
            for (var i = 0; i < n; i++)
            {
                codes[i * pc + j] = column[i];
            }
        }

        return new GowerRows(n, pn, pc, values, codes);
    }

    /// <summary>Gower distance between row <paramref name="i"/> of <paramref name="a"/> and row <paramref name="j"/> of <paramref name="b"/>.</summary>
    public float Distance(GowerRows a, int i, GowerRows b, int j) => Sum(a, i, b, j, float.PositiveInfinity) / Width;

    /// <summary>
    /// The <paramref name="k"/> nearest candidates for every query row, exact, ties broken by the lower
    /// candidate index (as a scan in index order would), or, with <paramref name="tieKey"/>, by a keyed random rank
    /// drawn afresh for every query and candidate. Candidates are visited outwards from the query along
    /// the numeric column with the widest spread: that column alone contributes min(1, |Δ|/R) to the sum, so the
    /// scan stops once it exceeds the k-th best distance; a candidate's partial sum is abandoned as soon as it
    /// does. Candidates missing the pivot value, and tables without numeric columns, are scanned in full.
    /// </summary>
    /// <param name="queries">Rows to find neighbours for.</param>
    /// <param name="candidates">Rows to search.</param>
    /// <param name="k">Neighbours per query, ≥ 1.</param>
    /// <param name="cancellationToken">Stops the search.</param>
    /// <param name="excludeSame">When the two sets are the same rows, skip each row's own index.</param>
    /// <param name="tieKey">Key of random tie-breaking (from the caller's random source); null: lowest index first.</param>
    public Neighbours Nearest(GowerRows queries, GowerRows candidates, int k, CancellationToken cancellationToken, bool excludeSame = false, ulong? tieKey = null)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var indices = new int[queries.Count * k];
        var distances = new float[queries.Count * k];
        var width = (float)Width;
        var pivot = PivotColumn(candidates);
        int[] sorted = [];
        float[] keys = [];
        int[] unsorted = Enumerable.Range(0, candidates.Count).ToArray();
        if (pivot >= 0)
        {
            var pn = candidates.NumericWidth;
            sorted = unsorted.Where(c => !float.IsNaN(candidates.Values[c * pn + pivot])).ToArray();
            keys = sorted.Select(c => candidates.Values[c * pn + pivot]).ToArray();
            Array.Sort(keys, sorted);
            unsorted = unsorted.Where(c => float.IsNaN(candidates.Values[c * pn + pivot])).ToArray();
        }

        Parallel.For(
            0,
            queries.Count,
            new ParallelOptions { CancellationToken = cancellationToken },
            () => (new float[k], new int[k], new ulong[k]),
            (q, _, buffers) =>
            {
                var (best, bestIndex, bestRank) = buffers;
                Array.Fill(best, float.PositiveInfinity);
                Array.Fill(bestIndex, int.MaxValue);
                Array.Fill(bestRank, ulong.MaxValue);

                void Consider(int c)
                {
                    if (excludeSame && c == q)
                    {
                        return;
                    }

                    var d = Sum(queries, q, candidates, c, best[k - 1]);
                    if (d > best[k - 1])
                    {
                        return;
                    }

                    var rank = tieKey is { } key ? TieRank(key, q, c) : (ulong)c;
                    if (d < best[k - 1] || rank < bestRank[k - 1])
                    {
                        // Insertion into the short list ordered by (distance, rank).
                        var pos = k - 1;
                        while (pos > 0 && (best[pos - 1] > d || (best[pos - 1] == d && bestRank[pos - 1] > rank)))
                        {
                            best[pos] = best[pos - 1];
                            bestIndex[pos] = bestIndex[pos - 1];
                            bestRank[pos] = bestRank[pos - 1];
                            pos--;
                        }

                        best[pos] = d;
                        bestIndex[pos] = c;
                        bestRank[pos] = rank;
                    }
                }

                var x = pivot >= 0 ? queries.Values[q * queries.NumericWidth + pivot] : float.NaN;
                if (float.IsNaN(x))
                {
                    foreach (var c in sorted)
                    {
                        Consider(c);
                    }
                }
                else
                {
                    var right = Array.BinarySearch(keys, x);
                    right = right >= 0 ? right : ~right;
                    var left = right - 1;
                    while (left >= 0 || right < keys.Length)
                    {
                        var gapLeft = left >= 0 ? x - keys[left] : float.PositiveInfinity;
                        var gapRight = right < keys.Length ? keys[right] - x : float.PositiveInfinity;
                        var gap = Math.Min(gapLeft, gapRight);
                        if (MathF.Min(1f, gap) > best[k - 1])
                        {
                            break;
                        }

                        Consider(gapLeft <= gapRight ? sorted[left--] : sorted[right++]);
                    }
                }

                foreach (var c in unsorted)
                {
                    Consider(c);
                }

                for (var r = 0; r < k; r++)
                {
                    var found = bestIndex[r] != int.MaxValue;
                    indices[q * k + r] = found ? bestIndex[r] : -1;
                    distances[q * k + r] = found ? best[r] / width : 1f;
                }

                return buffers;
            },
            _ => { });
        return new Neighbours(indices, distances, k);
    }

    // SplitMix64's finaliser (Steele, Lea & Flood 2014) of the key, query and candidate: an independent-looking rank per
    // pair, so ties are ordered afresh for every query.
    private static ulong TieRank(ulong key, int query, int candidate)
    {
        var z = key + ((ulong)(uint)query * 0x9E3779B97F4A7C15UL) + ((ulong)(uint)candidate * 0xD1B54A32D192ED03UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    // The numeric column whose candidate values spread most (largest standard deviation after range scaling):
    // it prunes the sorted scan best. −1 when there is no numeric column.
    private static int PivotColumn(GowerRows candidates)
    {
        var pn = candidates.NumericWidth;
        var best = -1;
        var bestSpread = -1.0;
        for (var t = 0; t < pn; t++)
        {
            double sum = 0, sumSq = 0;
            var n = 0;
            for (var c = 0; c < candidates.Count; c++)
            {
                var v = candidates.Values[c * pn + t];
                if (!float.IsNaN(v))
                {
                    sum += v;
                    sumSq += (double)v * v;
                    n++;
                }
            }

            var spread = n < 2 ? 0 : (sumSq / n) - ((sum / n) * (sum / n));
            if (spread > bestSpread)
            {
                bestSpread = spread;
                best = t;
            }
        }

        return best;
    }

    /// <summary>
    /// Logarithm of the kernel density of the candidates at every query, ln[(1/m)·Σ_c exp(−d(q, c)/h)]: a
    /// Laplace kernel in Gower distance with bandwidth <paramref name="bandwidth"/> &gt; 0, summed in log
    /// space so that far-away queries never underflow. Unnormalised; differences of two such log densities
    /// with the same bandwidth are meaningful (DOMIAS, van Breugel et al. 2023). Candidates whose weight is below
    /// double precision relative to the largest weight so far are abandoned early, which leaves the result exact
    /// to rounding.
    /// </summary>
    public double[] LogKernelDensity(GowerRows queries, GowerRows candidates, double bandwidth, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(candidates);
        if (!(bandwidth > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(bandwidth), "Bandwidth must be positive.");
        }

        if (candidates.Count == 0)
        {
            throw new ArgumentException("A density needs at least one candidate row.", nameof(candidates));
        }

        var density = new double[queries.Count];
        var scale = -1.0 / (bandwidth * Width);
        Parallel.For(0, queries.Count, new ParallelOptions { CancellationToken = cancellationToken }, q =>
        {
            // Streaming log-sum-exp: 'max' is the largest exponent so far, 'sum' the scaled sum.
            var max = double.NegativeInfinity;
            var sum = 0.0;
            for (var c = 0; c < candidates.Count; c++)
            {
                // A term e^(x − max) below 2⁻⁵² cannot change a sum that is ≥ 1, so its distance computation
                // may stop as soon as the partial sum guarantees x < max − 36.
                var bound = double.IsNegativeInfinity(max) ? float.PositiveInfinity : (float)((max - 36) / scale);
                var x = scale * Sum(queries, q, candidates, c, bound);
                if (x > max)
                {
                    sum = sum * Math.Exp(max - x) + 1;
                    max = x;
                }
                else
                {
                    sum += Math.Exp(x - max);
                }
            }

            density[q] = max + Math.Log(sum) - Math.Log(candidates.Count);
        });
        return density;
    }

    // Unnormalised sum of per-column dissimilarities; returns early once it exceeds 'bound'. Both loops work
    // a SIMD vector of columns at a time: the distance kernels dominate every neighbour-based attack.
    private static float Sum(GowerRows a, int i, GowerRows b, int j, float bound)
    {
        var sum = 0f;
        var pc = a.CategoricalWidth;
        var codesA = a.Codes.AsSpan(i * pc, pc);
        var codesB = b.Codes.AsSpan(j * pc, pc);
        var t = 0;
        if (pc >= Vector<int>.Count)
        {
            var matches = Vector<int>.Zero;
            for (; t <= pc - Vector<int>.Count; t += Vector<int>.Count)
            {
                // Equals yields −1 per equal lane, so subtracting it counts the matching columns.
                matches -= Vector.Equals(new Vector<int>(codesA[t..]), new Vector<int>(codesB[t..]));
            }

            sum += t - Vector.Sum(matches);
        }

        for (; t < pc; t++)
        {
            if (codesA[t] != codesB[t])
            {
                sum += 1f;
            }
        }

        if (sum > bound)
        {
            return sum;
        }

        var pn = a.NumericWidth;
        var valuesA = a.Values.AsSpan(i * pn, pn);
        var valuesB = b.Values.AsSpan(j * pn, pn);
        t = 0;
        var one = Vector<float>.One;
        for (; t <= pn - Vector<float>.Count; t += Vector<float>.Count)
        {
            var x = new Vector<float>(valuesA[t..]);
            var y = new Vector<float>(valuesB[t..]);
            var nanX = ~Vector.Equals(x, x);
            var nanY = ~Vector.Equals(y, y);
            var d = Vector.Min(one, Vector.Abs(x - y));
            // Two missing values agree (0); one missing value differs fully (1).
            var missing = Vector.ConditionalSelect(nanX & nanY, Vector<float>.Zero, one);
            sum += Vector.Sum(Vector.ConditionalSelect(nanX | nanY, missing, d));
            if (sum > bound)
            {
                return sum;
            }
        }

        for (; t < pn; t++)
        {
            var d = MathF.Abs(valuesA[t] - valuesB[t]);
            if (float.IsNaN(d))
            {
                d = float.IsNaN(valuesA[t]) && float.IsNaN(valuesB[t]) ? 0f : 1f;
            }

            sum += MathF.Min(1f, d);
            if (sum > bound)
            {
                return sum;
            }
        }

        return sum;
    }
}
