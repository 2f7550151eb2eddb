namespace ReleaseGateway.Synthesis.Models;

/// <summary>
/// Index arithmetic for tables over sets of attributes. A clique's table is flattened row-major in
/// the order of its (ascending) attribute list, the last attribute varying fastest.
/// </summary>
internal static class CliqueIndex
{
    public static int Size(IReadOnlyList<int> attributes, IReadOnlyList<int> domain)
    {
        long size = 1;
        foreach (int a in attributes)
        {
            size = checked(size * domain[a]);
        }

        return checked((int)size);
    }

    /// <summary>For each cell of the clique, the index of its cell in the table over <paramref name="subset"/> (a subset of the clique).</summary>
    public static int[] ProjectionMap(IReadOnlyList<int> clique, IReadOnlyList<int> subset, IReadOnlyList<int> domain)
    {
        // Stride of each clique attribute inside the subset table (0 when the attribute is summed out).
        var strides = new int[clique.Count];
        int stride = 1;
        for (int s = subset.Count - 1; s >= 0; s--)
        {
            int position = IndexOf(clique, subset[s]);
            if (position < 0)
            {
                throw new ArgumentException("subset is not contained in the clique");
            }

            strides[position] = stride;
            stride *= domain[subset[s]];
        }

        int size = Size(clique, domain);
        var map = new int[size];
        var digits = new int[clique.Count];
        int current = 0;
        for (int cell = 0; cell < size; cell++)
        {
            map[cell] = current;
            for (int p = clique.Count - 1; p >= 0; p--)
            {
                digits[p]++;
                current += strides[p];
                if (digits[p] < domain[clique[p]])
                {
                    break;
                }

                current -= strides[p] * digits[p];
                digits[p] = 0;
            }
        }

        return map;
    }

    /// <summary>Codes of each attribute of a clique for one flat cell index.</summary>
    public static void Decode(int cell, IReadOnlyList<int> clique, IReadOnlyList<int> domain, Span<int> codes)
    {
        for (int p = clique.Count - 1; p >= 0; p--)
        {
            int k = domain[clique[p]];
            codes[p] = cell % k;
            cell /= k;
        }
    }

    public static int IndexOf(IReadOnlyList<int> list, int value)
    {
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] == value)
            {
                return i;
            }
        }

        return -1;
    }

    public static bool IsSubset(IReadOnlyList<int> subset, IReadOnlyList<int> set) => subset.All(a => IndexOf(set, a) >= 0);

    public static double LogSumExp(ReadOnlySpan<double> values)
    {
        double max = double.NegativeInfinity;
        foreach (double v in values)
        {
            max = Math.Max(max, v);
        }

        if (double.IsNegativeInfinity(max))
        {
            return max;
        }

        double sum = 0;
        foreach (double v in values)
        {
            sum += Math.Exp(v - max);
        }

        return max + Math.Log(sum);
    }

    /// <summary>out[s] = log sum over cells c with map[c] = s of exp(values[c]).</summary>
    public static void LogSumExpInto(ReadOnlySpan<double> values, ReadOnlySpan<int> map, Span<double> result)
    {
        result.Fill(double.NegativeInfinity);
        for (int c = 0; c < values.Length; c++)
        {
            if (values[c] > result[map[c]])
            {
                result[map[c]] = values[c];
            }
        }

        Span<double> sums = result.Length <= 4096 ? stackalloc double[result.Length] : new double[result.Length];
        sums.Clear();
        for (int c = 0; c < values.Length; c++)
        {
            double m = result[map[c]];
            if (!double.IsNegativeInfinity(m))
            {
                sums[map[c]] += Math.Exp(values[c] - m);
            }
        }

        for (int s = 0; s < result.Length; s++)
        {
            if (!double.IsNegativeInfinity(result[s]))
            {
                result[s] += Math.Log(sums[s]);
            }
        }
    }

    /// <summary>out[s] = sum over cells c with map[c] = s of values[c].</summary>
    public static void SumInto(ReadOnlySpan<double> values, ReadOnlySpan<int> map, Span<double> result)
    {
        result.Clear();
        for (int c = 0; c < values.Length; c++)
        {
            result[map[c]] += values[c];
        }
    }
}
