namespace ReleaseGateway.Synthesis.Models;

/// <summary>
/// Fits a <see cref="GraphicalModel"/> to noisy marginal measurements, Private-PGM style (McKenna,
/// Sheldon and Miklau, "Graphical-model based estimation and inference for differential privacy",
/// ICML 2019): minimise the weighted squared loss
/// L(mu) = 1/2 sum over measurements of sum over coarse cells w_c (Q mu - y)_c^2
/// over the marginals mu of a log-linear model with the measured cliques, by entropic mirror
/// descent on the log potentials (theta &lt;- theta - alpha dL/dmu) with an Armijo backtracking line
/// search; the marginals come from belief propagation on a junction tree. The total count is
/// fixed to an estimate from the measurements. This is post-processing of DP measurements and costs
/// no privacy budget.
/// </summary>
public static class PgmEstimator
{
    /// <summary>
    /// Inverse-variance weighted estimate of the number of records from the measurements' sums
    /// (post-processing; never the true count).
    /// </summary>
    public static double EstimateTotal(IReadOnlyList<Measurement> measurements)
    {
        ArgumentNullException.ThrowIfNull(measurements);
        double weighted = 0, weights = 0;
        foreach (Measurement m in measurements)
        {
            (double total, double variance) = m.Total();
            weighted += total / variance;
            weights += 1 / variance;
        }

        return weights > 0 ? Math.Max(1, weighted / weights) : 1;
    }

    /// <summary>Fits the model.</summary>
    /// <param name="domain">Domain size of each attribute.</param>
    /// <param name="measurements">Noisy measurements (any attribute sets; every attribute gets a clique).</param>
    /// <param name="total">Total count of the model (e.g. <see cref="EstimateTotal"/>).</param>
    /// <param name="iterations">Mirror-descent iterations.</param>
    /// <param name="warmStart">Previous model whose parameters seed the cliques they share.</param>
    public static GraphicalModel Fit(IReadOnlyList<int> domain, IReadOnlyList<Measurement> measurements, double total, int iterations, GraphicalModel? warmStart = null)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(measurements);
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        if (!(total > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(total), total, "total must be positive");
        }

        // Model cliques: the distinct measured attribute sets not contained in another, plus singletons.
        var sets = measurements.Select(m => m.Attributes).Concat(Enumerable.Range(0, domain.Count).Select(a => new[] { a })).ToList();
        var cliques = new List<int[]>();
        foreach (int[] s in sets.OrderByDescending(s => s.Length))
        {
            if (!cliques.Any(c => CliqueIndex.IsSubset(s, c)))
            {
                cliques.Add(s);
            }
        }

        JunctionTree tree = JunctionTree.Build(domain.Count, cliques, domain);
        var theta = cliques.Select(c => new double[CliqueIndex.Size(c, domain)]).ToArray();
        if (warmStart is not null)
        {
            for (int q = 0; q < cliques.Count; q++)
            {
                for (int w = 0; w < warmStart.ModelCliques.Count; w++)
                {
                    if (CliqueIndex.IsSubset(warmStart.ModelCliques[w], cliques[q]))
                    {
                        BeliefPropagation.AddBroadcast(theta[q], CliqueIndex.ProjectionMap(cliques[q], warmStart.ModelCliques[w], domain), warmStart.Theta[w], 1);
                        break;
                    }
                }
            }
        }

        var problem = new Problem(domain, tree, cliques, measurements);
        var model = new GraphicalModel(domain, tree, cliques, theta, total);
        (double loss, double[][] gradient) = problem.LossAndGradient(model);
        double alpha = 1.0 / total;
        for (int t = 0; t < iterations; t++)
        {
            alpha *= 2;
            double[][] muBefore = problem.CliqueMarginals(model);
            for (int attempt = 0; attempt < 30; attempt++)
            {
                var candidateTheta = new double[theta.Length][];
                for (int q = 0; q < theta.Length; q++)
                {
                    candidateTheta[q] = new double[theta[q].Length];
                    for (int c = 0; c < theta[q].Length; c++)
                    {
                        candidateTheta[q][c] = theta[q][c] - alpha * gradient[q][c];
                    }
                }

                var candidate = new GraphicalModel(domain, tree, cliques, candidateTheta, total);
                (double newLoss, double[][] newGradient) = problem.LossAndGradient(candidate);
                double[][] muAfter = problem.CliqueMarginals(candidate);
                double decrease = 0;
                for (int q = 0; q < gradient.Length; q++)
                {
                    for (int c = 0; c < gradient[q].Length; c++)
                    {
                        decrease += gradient[q][c] * (muBefore[q][c] - muAfter[q][c]);
                    }
                }

                if (loss - newLoss >= 0.5 * alpha * decrease || attempt == 29)
                {
                    if (newLoss <= loss)
                    {
                        theta = candidateTheta;
                        model = candidate;
                        loss = newLoss;
                        gradient = newGradient;
                    }

                    break;
                }

                alpha *= 0.5;
            }
        }

        return model;
    }

    /// <summary>The loss and its gradient with respect to each model clique's marginal.</summary>
    private sealed class Problem
    {
        private readonly IReadOnlyList<int> domain;
        private readonly JunctionTree tree;
        private readonly IReadOnlyList<int[]> cliques;
        private readonly IReadOnlyList<Measurement> measurements;
        private readonly int[] cliqueTreeNode;
        private readonly int[][] cliqueMaps;
        private readonly int[] measurementClique;
        private readonly int[][] measurementMaps;

        public Problem(IReadOnlyList<int> domain, JunctionTree tree, IReadOnlyList<int[]> cliques, IReadOnlyList<Measurement> measurements)
        {
            this.domain = domain;
            this.tree = tree;
            this.cliques = cliques;
            this.measurements = measurements;
            cliqueTreeNode = cliques.Select(c => tree.FindContaining(c)).ToArray();
            cliqueMaps = cliques.Select((c, q) => CliqueIndex.ProjectionMap(tree.Cliques[cliqueTreeNode[q]], c, domain)).ToArray();
            measurementClique = measurements.Select(m => Enumerable.Range(0, cliques.Count).First(q => CliqueIndex.IsSubset(m.Attributes, cliques[q]))).ToArray();
            measurementMaps = measurements.Select((m, i) => CliqueIndex.ProjectionMap(cliques[measurementClique[i]], m.Attributes, domain)).ToArray();
        }

        public double[][] CliqueMarginals(GraphicalModel model)
        {
            var result = new double[cliques.Count][];
            for (int q = 0; q < cliques.Count; q++)
            {
                result[q] = new double[CliqueIndex.Size(cliques[q], domain)];
                CliqueIndex.SumInto(model.TreeMarginals[cliqueTreeNode[q]], cliqueMaps[q], result[q]);
            }

            return result;
        }

        public (double Loss, double[][] Gradient) LossAndGradient(GraphicalModel model)
        {
            double[][] mu = CliqueMarginals(model);
            var gradient = mu.Select(m => new double[m.Length]).ToArray();
            double loss = 0;
            for (int i = 0; i < measurements.Count; i++)
            {
                Measurement m = measurements[i];
                int q = measurementClique[i];
                var marginal = new double[CliqueIndex.Size(m.Attributes, domain)];
                CliqueIndex.SumInto(mu[q], measurementMaps[i], marginal);
                var residual = new double[m.Values.Length];
                for (int c = 0; c < marginal.Length; c++)
                {
                    residual[m.CellMap[c]] += marginal[c];
                }

                for (int r = 0; r < residual.Length; r++)
                {
                    residual[r] -= m.Values[r];
                    loss += 0.5 * m.Weights[r] * residual[r] * residual[r];
                    residual[r] *= m.Weights[r];
                }

                // Chain rule through the aggregation: every fine cell of the clique gets its coarse cell's residual.
                int[] map = measurementMaps[i];
                double[] g = gradient[q];
                for (int c = 0; c < g.Length; c++)
                {
                    g[c] += residual[m.CellMap[map[c]]];
                }
            }

            return (loss, gradient);
        }
    }
}
