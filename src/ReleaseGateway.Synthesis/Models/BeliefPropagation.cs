namespace ReleaseGateway.Synthesis.Models;

/// <summary>Sum-product message passing on a junction tree, in log space (no underflow for peaked models).</summary>
internal static class BeliefPropagation
{
    /// <summary>Log potential of each tree clique: the sum of the parameters of the model cliques assigned to it.</summary>
    public static double[][] TreePotentials(IReadOnlyList<int> domain, JunctionTree tree, IReadOnlyList<int[]> cliques, double[][] theta)
    {
        var potentials = tree.Cliques.Select(c => new double[CliqueIndex.Size(c, domain)]).ToArray();
        for (int q = 0; q < cliques.Count; q++)
        {
            int target = tree.FindContaining(cliques[q]);
            int[] map = CliqueIndex.ProjectionMap(tree.Cliques[target], cliques[q], domain);
            double[] p = potentials[target];
            double[] t = theta[q];
            for (int c = 0; c < p.Length; c++)
            {
                p[c] += t[map[c]];
            }
        }

        return potentials;
    }

    /// <summary>Log beliefs (unnormalised log marginals) of every tree clique, and log Z.</summary>
    public static (double[][] LogBeliefs, double LogPartition) Run(IReadOnlyList<int> domain, JunctionTree tree, IReadOnlyList<int[]> cliques, double[][] theta)
    {
        double[][] beliefs = TreePotentials(domain, tree, cliques, theta);
        int m = tree.Cliques.Length;
        var upMessages = new double[m][];
        var childMaps = new int[m][];
        var parentMaps = new int[m][];
        for (int i = 0; i < m; i++)
        {
            if (tree.Parent[i] >= 0)
            {
                childMaps[i] = CliqueIndex.ProjectionMap(tree.Cliques[i], tree.Separators[i], domain);
                parentMaps[i] = CliqueIndex.ProjectionMap(tree.Cliques[tree.Parent[i]], tree.Separators[i], domain);
            }
        }

        // Upward: every clique (deepest first) sends its separator marginal to its parent.
        for (int k = m - 1; k > 0; k--)
        {
            int i = tree.Order[k];
            var message = new double[CliqueIndex.Size(tree.Separators[i], domain)];
            CliqueIndex.LogSumExpInto(beliefs[i], childMaps[i], message);
            upMessages[i] = message;
            AddBroadcast(beliefs[tree.Parent[i]], parentMaps[i], message, 1);
        }

        // Downward: each parent's full belief, minus what the child sent, goes back to the child.
        for (int k = 1; k < m; k++)
        {
            int i = tree.Order[k];
            var message = new double[upMessages[i].Length];
            CliqueIndex.LogSumExpInto(beliefs[tree.Parent[i]], parentMaps[i], message);
            for (int s = 0; s < message.Length; s++)
            {
                message[s] -= upMessages[i][s];
            }

            AddBroadcast(beliefs[i], childMaps[i], message, 1);
        }

        return (beliefs, CliqueIndex.LogSumExp(beliefs[tree.Order[0]]));
    }

    public static void AddBroadcast(Span<double> target, ReadOnlySpan<int> map, ReadOnlySpan<double> source, double scale)
    {
        for (int c = 0; c < target.Length; c++)
        {
            target[c] += scale * source[map[c]];
        }
    }
}
