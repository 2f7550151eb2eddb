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

    /// <summary>
    /// Marginal over attributes spread across several cliques: the tree's marginals are passed along
    /// a breadth-first order keeping the requested attributes as extra separator variables.
    /// </summary>
    public static double[] ProjectAcrossCliques(IReadOnlyList<int> domain, JunctionTree tree, IReadOnlyList<int[]> cliques, double[][] theta, IReadOnlyList<int> attributes, double total)
    {
        // Conditioning view: P(A) = sum over x of prod over cliques P(x_C | x_sep). Compute by eliminating
        // along the tree with the requested attributes carried in every message: messages flow from the
        // leaves upward, each keeping separator variables plus requested attributes found below.
        double[][] potentials = TreePotentials(domain, tree, cliques, theta);
        int m = tree.Cliques.Length;
        var keep = new HashSet<int>(attributes);
        var messages = new (int[] Scope, double[] Values)?[m];
        var childrenOf = Enumerable.Range(0, m).Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < m; i++)
        {
            if (tree.Parent[i] >= 0)
            {
                childrenOf[tree.Parent[i]].Add(i);
            }
        }

        (int[] Scope, double[] Values) Collect(int i)
        {
            // Scope of the combined factor at clique i: its attributes plus kept attributes from children messages.
            var parts = new List<(int[] Scope, double[] Values)> { (tree.Cliques[i], potentials[i]) };
            foreach (int c in childrenOf[i])
            {
                parts.Add(messages[c]!.Value);
            }

            int[] scope = parts.SelectMany(p => p.Scope).Distinct().Order().ToArray();
            var values = new double[CliqueIndex.Size(scope, domain)];
            foreach ((int[] s, double[] v) in parts)
            {
                AddBroadcast(values, CliqueIndex.ProjectionMap(scope, s, domain), v, 1);
            }

            return (scope, values);
        }

        for (int k = m - 1; k > 0; k--)
        {
            int i = tree.Order[k];
            (int[] scope, double[] values) = Collect(i);
            int[] outScope = scope.Where(a => CliqueIndex.IndexOf(tree.Separators[i], a) >= 0 || keep.Contains(a)).ToArray();
            var message = new double[CliqueIndex.Size(outScope, domain)];
            CliqueIndex.LogSumExpInto(values, CliqueIndex.ProjectionMap(scope, outScope, domain), message);
            messages[i] = (outScope, message);
        }

        (int[] rootScope, double[] rootValues) = Collect(tree.Order[0]);
        int[] target = attributes.Order().ToArray();
        var logResult = new double[CliqueIndex.Size(target, domain)];
        CliqueIndex.LogSumExpInto(rootValues, CliqueIndex.ProjectionMap(rootScope, target, domain), logResult);
        double logZ = CliqueIndex.LogSumExp(logResult);
        return logResult.Select(v => total * Math.Exp(v - logZ)).ToArray();
    }

    public static void AddBroadcast(Span<double> target, ReadOnlySpan<int> map, ReadOnlySpan<double> source, double scale)
    {
        for (int c = 0; c < target.Length; c++)
        {
            target[c] += scale * source[map[c]];
        }
    }
}
