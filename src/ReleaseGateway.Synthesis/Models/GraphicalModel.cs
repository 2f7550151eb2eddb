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

        return BeliefPropagation.ProjectAcrossCliques(Domain, Tree, ModelCliques, Theta, attributes, Total);
    }
}
