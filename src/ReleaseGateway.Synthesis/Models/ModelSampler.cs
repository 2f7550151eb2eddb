using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Synthesis.Models;

/// <summary>
/// Draws synthetic records from a <see cref="GraphicalModel"/> along its junction tree: the root
/// clique's values first, then each clique's new attributes conditioned on its separator. Within
/// every conditional group the number of rows per value is the expected count rounded
/// (floor plus a weighted draw without replacement for the remainder), which keeps the synthetic
/// marginals close to the model's instead of adding multinomial sampling noise. Post-processing only.
/// </summary>
public static class ModelSampler
{
    /// <summary>Samples <paramref name="rows"/> records; returns column-major codes for every attribute.</summary>
    public static int[][] Sample(GraphicalModel model, int rows, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        IReadOnlyList<int> domain = model.Domain;
        var columns = domain.Select(_ => new int[rows]).ToArray();
        JunctionTree tree = model.Tree;
        var groupIndex = new int[rows];
        Span<int> codes = stackalloc int[64];
        foreach (int i in tree.Order)
        {
            int[] clique = tree.Cliques[i];
            int[] separator = tree.Separators[i];
            int[] fresh = clique.Where(a => CliqueIndex.IndexOf(separator, a) < 0).ToArray();
            if (fresh.Length == 0)
            {
                continue;
            }

            int sepSize = CliqueIndex.Size(separator, domain);
            int freshSize = CliqueIndex.Size(fresh, domain);
            int[] sepMap = CliqueIndex.ProjectionMap(clique, separator, domain);
            int[] freshMap = CliqueIndex.ProjectionMap(clique, fresh, domain);
            var conditional = new double[sepSize][];
            for (int s = 0; s < sepSize; s++)
            {
                conditional[s] = new double[freshSize];
            }

            double[] mu = model.TreeMarginals[i];
            for (int c = 0; c < mu.Length; c++)
            {
                conditional[sepMap[c]][freshMap[c]] += mu[c];
            }

            // Group the rows by their separator value (already sampled), in random order.
            var order = Enumerable.Range(0, rows).ToArray();
            random.Shuffle(order.AsSpan());
            var groups = new List<int>[sepSize];
            foreach (int r in order)
            {
                int s = 0;
                foreach (int a in separator)
                {
                    s = s * domain[a] + columns[a][r];
                }

                (groups[s] ??= []).Add(r);
            }

            for (int s = 0; s < sepSize; s++)
            {
                if (groups[s] is not { } members)
                {
                    continue;
                }

                int[] values = RoundedDraw(conditional[s], members.Count, random);
                for (int k = 0; k < members.Count; k++)
                {
                    CliqueIndex.Decode(values[k], fresh, domain, codes);
                    for (int f = 0; f < fresh.Length; f++)
                    {
                        columns[fresh[f]][members[k]] = codes[f];
                    }
                }
            }
        }

        return columns;
    }

    /// <summary>
    /// <paramref name="count"/> values in random order with frequencies floor(count p) plus a draw
    /// without replacement, weighted by the fractional parts, for the remainder.
    /// </summary>
    internal static int[] RoundedDraw(double[] weights, int count, IRandomSource random)
    {
        double total = weights.Sum();
        var p = total > 0 && double.IsFinite(total) ? weights.Select(w => w / total).ToArray() : weights.Select(_ => 1.0 / weights.Length).ToArray();
        var result = new int[count];
        var fraction = new double[p.Length];
        int filled = 0;
        for (int v = 0; v < p.Length; v++)
        {
            double expected = count * p[v];
            int whole = (int)Math.Floor(expected);
            fraction[v] = expected - whole;
            for (int k = 0; k < whole && filled < count; k++)
            {
                result[filled++] = v;
            }
        }

        while (filled < count)
        {
            double sum = fraction.Sum();
            int chosen = -1;
            if (sum > 0)
            {
                double u = random.NextDouble() * sum;
                for (int v = 0; v < fraction.Length; v++)
                {
                    u -= fraction[v];
                    if (u < 0 && fraction[v] > 0)
                    {
                        chosen = v;
                        break;
                    }
                }
            }

            // Rounding can leave u marginally >= 0 after the loop: fall back to the largest remaining fraction.
            chosen = chosen >= 0 ? chosen : sum > 0 ? Array.IndexOf(fraction, fraction.Max()) : random.NextInt(p.Length);
            fraction[chosen] = 0;
            result[filled++] = chosen;
        }

        random.Shuffle(result.AsSpan());
        return result;
    }
}
