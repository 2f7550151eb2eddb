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
    /// The <paramref name="k"/> nearest candidates for every query row (exact search; a candidate's partial
    /// sum is abandoned as soon as it exceeds the current k-th best, which keeps the cost far below n·m·p).
    /// </summary>
    /// <param name="queries">Rows to find neighbours for.</param>
    /// <param name="candidates">Rows to search.</param>
    /// <param name="k">Neighbours per query, ≥ 1.</param>
    /// <param name="cancellationToken">Stops the search.</param>
    /// <param name="excludeSame">When the two sets are the same rows, skip each row's own index.</param>
    public Neighbours Nearest(GowerRows queries, GowerRows candidates, int k, CancellationToken cancellationToken, bool excludeSame = false)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var indices = new int[queries.Count * k];
        var distances = new float[queries.Count * k];
        Array.Fill(indices, -1);
        Array.Fill(distances, 1f);
        var width = (float)Width;
        Parallel.For(
            0,
            queries.Count,
            new ParallelOptions { CancellationToken = cancellationToken },
            () => (new float[k], new int[k]),
            (q, _, buffers) =>
            {
                var (best, bestIndex) = buffers;
                Array.Fill(best, float.PositiveInfinity);
                Array.Fill(bestIndex, -1);
                for (var c = 0; c < candidates.Count; c++)
                {
                    if (excludeSame && c == q)
                    {
                        continue;
                    }

                    var d = Sum(queries, q, candidates, c, best[k - 1]);
                    if (d < best[k - 1])
                    {
                        // Insertion into the short sorted list; ties keep the earlier candidate first.
                        var pos = k - 1;
                        while (pos > 0 && best[pos - 1] > d)
                        {
                            best[pos] = best[pos - 1];
                            bestIndex[pos] = bestIndex[pos - 1];
                            pos--;
                        }

                        best[pos] = d;
                        bestIndex[pos] = c;
                    }
                }

                for (var r = 0; r < k; r++)
                {
                    indices[q * k + r] = bestIndex[r];
                    distances[q * k + r] = bestIndex[r] < 0 ? 1f : best[r] / width;
                }

                return buffers;
            },
            _ => { });
        return new Neighbours(indices, distances, k);
    }

    /// <summary>
    /// Logarithm of the kernel density of the candidates at every query, ln[(1/m)·Σ_c exp(−d(q, c)/h)]: a
    /// Laplace kernel in Gower distance with bandwidth <paramref name="bandwidth"/> &gt; 0, summed in log
    /// space so that far-away queries never underflow. Unnormalised; differences of two such log densities
    /// with the same bandwidth are meaningful (DOMIAS, van Breugel et al. 2023).
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
                var x = scale * Sum(queries, q, candidates, c, float.PositiveInfinity);
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

    // Unnormalised sum of per-column dissimilarities; returns early once it exceeds 'bound'.
    private static float Sum(GowerRows a, int i, GowerRows b, int j, float bound)
    {
        var sum = 0f;
        var pc = a.CategoricalWidth;
        var codesA = a.Codes.AsSpan(i * pc, pc);
        var codesB = b.Codes.AsSpan(j * pc, pc);
        for (var t = 0; t < pc; t++)
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
        for (var t = 0; t < pn; t++)
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
