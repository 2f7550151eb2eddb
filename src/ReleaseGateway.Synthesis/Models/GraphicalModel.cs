namespace ReleaseGateway.Synthesis.Models;

/// <summary>
/// A discrete undirected graphical model (log-linear: log P(x) = sum over cliques of theta_C(x_C)
/// - log Z) scaled to a total count, with its junction-tree marginals computed by belief
/// propagation in log space. Immutable; produced by <see cref="PgmEstimator"/>.
/// </summary>
public sealed class GraphicalModel
{
    private readonly double[][] logBeliefs;
    private readonly double logPartition;

    internal GraphicalModel(IReadOnlyList<int> domain, JunctionTree tree, IReadOnlyList<int[]> cliques, double[][] theta, double total)
    {
        Domain = domain.ToArray();
        Tree = tree;
        ModelCliques = cliques;
        Theta = theta;
        Total = total;
        (logBeliefs, logPartition) = BeliefPropagation.Run(domain, tree, cliques, theta);
        TreeMarginals = logBeliefs.Select(b => b.Select(v => total * Math.Exp(v - logPartition)).ToArray()).ToArray();
    }

    /// <summary>Domain size of each attribute.</summary>
    public IReadOnlyList<int> Domain { get; }

    /// <summary>Total count the marginals sum to (the estimated number of records).</summary>
    public double Total { get; }

    /// <summary>The attribute sets carrying parameters (the measured cliques).</summary>
    public IReadOnlyList<int[]> ModelCliques { get; }

    internal JunctionTree Tree { get; }

    internal double[][] Theta { get; }

    /// <summary>Marginal counts of each junction-tree clique.</summary>
    internal double[][] TreeMarginals { get; }

    /// <summary>
    /// Marginal counts over <paramref name="attributes"/> (ascending), flattened row-major. Exact when
    /// the attributes lie in one junction-tree clique; otherwise computed by exact inference along the
    /// tree (cost grows with the product of the attributes' domains).
    /// </summary>
    public double[] Project(IReadOnlyList<int> attributes)
    {
        int clique = Tree.FindContaining(attributes);
        if (clique >= 0)
        {
            var result = new double[CliqueIndex.Size(attributes, Domain)];
            CliqueIndex.SumInto(TreeMarginals[clique], CliqueIndex.ProjectionMap(Tree.Cliques[clique], attributes, Domain), result);
            return result;
        }

        return ProjectOverSubtree(attributes, double.PositiveInfinity)!;
    }

    /// <summary>
    /// <see cref="Project"/>, or null when inference along the tree would build a table of more than
    /// <paramref name="maxCells"/> cells (the model's structure alone decides, so skipping is post-processing).
    /// </summary>
    internal double[]? TryProject(IReadOnlyList<int> attributes, double maxCells)
    {
        int clique = Tree.FindContaining(attributes);
        return clique >= 0 ? Project(attributes) : ProjectOverSubtree(attributes, maxCells);
    }

    /// <summary>
    /// Marginal over attributes spread across cliques, from the calibrated clique marginals: on the
    /// smallest subtree joining cliques that hold the attributes, P(x) = prod mu_C / prod mu_S, and
    /// the other attributes are summed out leaf by leaf (variable elimination carrying the requested
    /// attributes). Cliques outside that subtree sum to their separators and drop out, so the cost
    /// depends on the subtree only.
    /// </summary>
    private double[]? ProjectOverSubtree(IReadOnlyList<int> attributes, double maxCells)
    {
        JunctionTree tree = Tree;
        int m = tree.Cliques.Length;
        var depth = new int[m];
        foreach (int i in tree.Order)
        {
            depth[i] = tree.Parent[i] < 0 ? 0 : depth[tree.Parent[i]] + 1;
        }

        // One holder clique per attribute; the subtree is the union of their paths to their common ancestor.
        var holders = attributes.Select(a => tree.FindContaining([a])).Distinct().ToArray();
        int top = holders[0];
        foreach (int h in holders.Skip(1))
        {
            int x = h;
            while (depth[x] > depth[top])
            {
                x = tree.Parent[x];
            }

            while (depth[top] > depth[x])
            {
                top = tree.Parent[top];
            }

            while (x != top)
            {
                x = tree.Parent[x];
                top = tree.Parent[top];
            }
        }

        var inSubtree = new bool[m];
        foreach (int h in holders)
        {
            for (int x = h; !inSubtree[x]; x = tree.Parent[x])
            {
                inSubtree[x] = true;
                if (x == top)
                {
                    break;
                }
            }
        }

        inSubtree[top] = true;
        var keep = new HashSet<int>(attributes);
        var messages = new (int[] Scope, double[] Values)?[m];
        (int[] Scope, double[] Values)? Combine(int i)
        {
            var parts = new List<(int[] Scope, double[] Values)> { (tree.Cliques[i], TreeMarginals[i]) };
            for (int c = 0; c < m; c++)
            {
                if (messages[c] is { } message && tree.Parent[c] == i)
                {
                    parts.Add(message);
                }
            }

            int[] scope = parts.SelectMany(p => p.Scope).Distinct().Order().ToArray();
            if (scope.Aggregate(1.0, (size, a) => size * Domain[a]) > maxCells)
            {
                return null;
            }

            var values = new double[CliqueIndex.Size(scope, Domain)];
            Array.Fill(values, 1.0);
            foreach ((int[] s, double[] v) in parts)
            {
                int[] map = CliqueIndex.ProjectionMap(scope, s, Domain);
                for (int c = 0; c < values.Length; c++)
                {
                    values[c] *= v[map[c]];
                }
            }

            return (scope, values);
        }

        for (int k = tree.Order.Length - 1; k >= 0; k--)
        {
            int i = tree.Order[k];
            if (!inSubtree[i] || i == top)
            {
                continue;
            }

            if (Combine(i) is not (int[] scope, double[] values))
            {
                return null;
            }

            int[] separator = tree.Separators[i];
            int[] outScope = scope.Where(a => CliqueIndex.IndexOf(separator, a) >= 0 || keep.Contains(a)).ToArray();
            var message = new double[CliqueIndex.Size(outScope, Domain)];
            CliqueIndex.SumInto(values, CliqueIndex.ProjectionMap(scope, outScope, Domain), message);

            // Divide by the separator marginal: what the child adds is a conditional given the separator.
            var separatorMass = new double[CliqueIndex.Size(separator, Domain)];
            CliqueIndex.SumInto(TreeMarginals[i], CliqueIndex.ProjectionMap(tree.Cliques[i], separator, Domain), separatorMass);
            int[] toSeparator = CliqueIndex.ProjectionMap(outScope, separator, Domain);
            for (int c = 0; c < message.Length; c++)
            {
                double mass = separatorMass[toSeparator[c]];
                message[c] = mass > 0 ? message[c] / mass : 0;
            }

            messages[i] = (outScope, message);
        }

        if (Combine(top) is not (int[] rootScope, double[] rootValues))
        {
            return null;
        }

        int[] target = attributes.Order().ToArray();
        var result = new double[CliqueIndex.Size(target, Domain)];
        CliqueIndex.SumInto(rootValues, CliqueIndex.ProjectionMap(rootScope, target, Domain), result);
        return result;
    }
}
