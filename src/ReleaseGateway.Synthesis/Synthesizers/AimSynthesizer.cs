using ReleaseGateway.Privacy.Mechanisms;
using ReleaseGateway.Synthesis.Models;

namespace ReleaseGateway.Synthesis.Synthesizers;

/// <summary>
/// Adaptive, workload-aware synthesis in the AIM class (McKenna, Mullins, Sheldon and Miklau, "AIM:
/// An Adaptive and Iterative Mechanism for Differentially Private Synthetic Data", VLDB 2022). After
/// the 1-way phase, each round picks one marginal with the exponential mechanism, measures it with
/// discrete Gaussian noise and refits the model:
/// <list type="bullet">
/// <item>candidates, forest path (largest marginal 2 columns, the default): every 1-way marginal (on its
/// segments and on every code), every pair joining two components of the current forest, and every pair
/// already in the tree (re-measured to sharpen it);</item>
/// <item>candidates, junction-tree path (3 columns, ADR 0035): every 1-way marginal, and every 2- and 3-way
/// marginal (AIM's workload of all 3-way marginals and its downward closure) whose addition keeps the
/// junction tree under AIM's model-size cap, which grows with the share of the budget spent;</item>
/// <item>quality: w_r (||M_r(D) - M^_r||_1 - sqrt(2/pi) sigma n_r) on coarse cells, where M^_r is the
/// model's exact marginal (inference on the junction tree) and n_r the number of cells, so a marginal is
/// only chosen when its expected gain exceeds the noise it would add; w_r is the candidate's overlap with
/// the 3-way workload in proportion (1, 2, 3 for 1-, 2-, 3-way), the sensitivity is the largest w_r present
/// (2 on the forest path, 3 on the junction-tree path): one record moves each L1 term by at most 1;</item>
/// <item>budget annealing: when a measurement changed the model's estimate by less than its expected
/// noise, sigma is halved and epsilon doubled; the last round spends exactly what is left.</item>
/// </list>
/// Marginals are measured on equal-mass coarse cells sized to the noisy record count and the round's
/// sigma. On the forest path every projection is exact on one clique and each refit is cheap.
/// </summary>
internal static class AimSynthesizer
{
    private const double SelectionShare = 0.1;

    /// <summary>Runs with candidates of at most <paramref name="maxColumns"/> columns: 2 keeps the model a forest, 3 grows a junction tree under the size cap.</summary>
    public static (GraphicalModel Model, List<int[]> Cliques) Run(Measurer measurer, IReadOnlyList<string> names, double rho, int maxColumns, IProgress<SynthesisProgress>? progress)
    {
        IReadOnlyList<int> domain = measurer.Domain;
        int d = domain.Count;
        OneWayPhase oneWay = OneWayPhase.Run(measurer, names, d == 1 ? rho : rho * SynthesisTuning.AimOneWayShare, SynthesisTuning.SegmentPenalty);
        var measurements = new List<Measurement>(oneWay.Measurements);
        double total = oneWay.Total;
        GraphicalModel model = PgmEstimator.Fit(domain, measurements, total, SynthesisTuning.RoundIterations);
        var edges = new List<int[]>();
        if (d == 1)
        {
            return (model, edges);
        }

        var oneWaySegments = Enumerable.Range(0, d).Select(a => oneWay.Measurements.Where(m => m.Attributes[0] == a).OrderBy(m => m.Values.Length).Last().CellMap).ToArray();
        var component = Enumerable.Range(0, d).ToArray();
        int Find(int x) => component[x] == x ? x : component[x] = Find(component[x]);

        double rhoRounds = measurer.Accountant.RemainingRho * (1 - 1e-9);
        double rounds = SynthesisTuning.AimRounds(d);
        double sigma = Math.Sqrt(rounds / (2 * (1 - SelectionShare) * rhoRounds));
        double epsilon = Math.Sqrt(8 * SelectionShare * rhoRounds / rounds);
        bool last = false;
        int round = 0;
        while (!last)
        {
            round++;
            double remaining = measurer.Accountant.RemainingRho * (1 - 1e-9);
            double perRound = 1 / (2 * sigma * sigma) + ExponentialMechanism.Rho(epsilon);
            if (remaining < 2 * perRound)
            {
                // Spend exactly what is left in this final round, split as in every round.
                sigma = Math.Sqrt(1 / (2 * (1 - SelectionShare) * remaining));
                epsilon = Math.Sqrt(8 * SelectionShare * remaining);
                last = true;
            }

            progress?.Report(new SynthesisProgress($"round {round}", Math.Min(0.85, 0.1 + 0.75 * (1 - remaining / rhoRounds))));
            int maxCells = SynthesisTuning.MaxCells(total, sigma);
            double[][] modelOneWay = Enumerable.Range(0, d).Select(a => model.Project([a])).ToArray();
            var candidates = new List<(int[] Attributes, int[] CellMap, int CoarseSize)>();
            var estimates = new List<double[]>();
            var weights = new List<double>();
            for (int a = 0; a < d; a++)
            {
                // Two resolutions: the segments found in the 1-way phase, and every code.
                int groups = Coarsening.GroupCount(oneWaySegments[a]);
                candidates.Add(([a], oneWaySegments[a], groups));
                estimates.Add(Aggregate(modelOneWay[a], oneWaySegments[a], groups));
                weights.Add(1);
                if (groups < domain[a])
                {
                    candidates.Add(([a], Coarsening.Identity(domain[a]), domain[a]));
                    estimates.Add(modelOneWay[a]);
                    weights.Add(1);
                }
            }

            if (maxColumns <= 2)
            {
                for (int a = 0; a < d; a++)
                {
                    for (int b = a + 1; b < d; b++)
                    {
                        bool joins = Find(a) != Find(b);
                        bool inTree = edges.Any(e => e[0] == a && e[1] == b);
                        if (joins || inTree)
                        {
                            AddPair(a, b, model.Project([a, b]));
                        }
                    }
                }
            }
            else
            {
                double cap = ModelSizeCap.Cap(1 - measurer.Accountant.RemainingRho / rho, model.Tree.CellCount(domain));
                foreach (int[] set in Subsets(d, maxColumns))
                {
                    if (!ModelSizeCap.Admits(d, edges, set, domain, model.Tree, cap))
                    {
                        continue;
                    }

                    // Candidates whose model marginal would cost a large inference are left out (the structure is public).
                    if (model.TryProject(set, SynthesisTuning.ProjectionCellLimit) is not double[] marginal)
                    {
                        continue;
                    }

                    if (set.Length == 2)
                    {
                        AddPair(set[0], set[1], marginal);
                    }
                    else
                    {
                        // Two resolutions, as for pairs.
                        var cells = SynthesisTuning.TupleCells(set, domain, modelOneWay, maxCells);
                        candidates.Add(cells);
                        estimates.Add(Aggregate(marginal, cells.CellMap, cells.CoarseSize));
                        weights.Add(set.Length);
                        var finer = SynthesisTuning.TupleCells(set, domain, modelOneWay, 4 * maxCells);
                        if (finer.CoarseSize > cells.CoarseSize)
                        {
                            candidates.Add(finer);
                            estimates.Add(Aggregate(marginal, finer.CellMap, finer.CoarseSize));
                            weights.Add(set.Length);
                        }
                    }
                }
            }

            void AddPair(int a, int b, double[] pair)
            {
                // Two resolutions: cells sized to the round's noise, and a four times finer grid.
                var cells = SynthesisTuning.PairCells(a, b, domain, modelOneWay, maxCells);
                candidates.Add(cells);
                estimates.Add(Aggregate(pair, cells.CellMap, cells.CoarseSize));
                weights.Add(2);
                var finer = SynthesisTuning.PairCells(a, b, domain, modelOneWay, 4 * maxCells);
                if (finer.CoarseSize > cells.CoarseSize)
                {
                    candidates.Add(finer);
                    estimates.Add(Aggregate(pair, finer.CellMap, finer.CoarseSize));
                    weights.Add(2);
                }
            }

            double penalty = Math.Sqrt(2 / Math.PI) * sigma;
            double[] bias = candidates.Select(c => -penalty * c.CoarseSize).ToArray();
            int pick = measurer.Select(candidates, estimates, bias, weights, epsilon, $"round {round} selection");
            (int[] attributes, int[] cellMap, int coarseSize) = candidates[pick];
            string label = attributes.Length == 1
                ? $"round {round}: 1-way {names[attributes[0]]} on {coarseSize} segments"
                : $"round {round}: {attributes.Length}-way {string.Join(" x ", attributes.Select(a => names[a]))} on {coarseSize} cells";
            Measurement measurement = measurer.Measure(attributes, cellMap, coarseSize, sigma, label);
            measurements.Add(measurement);
            if (maxColumns <= 2 && attributes.Length == 2 && Find(attributes[0]) != Find(attributes[1]))
            {
                component[Find(attributes[0])] = Find(attributes[1]);
                edges.Add(attributes);
            }
            else if (maxColumns > 2 && attributes.Length > 1 && !edges.Any(e => CliqueIndex.IsSubset(attributes, e)))
            {
                edges.RemoveAll(e => CliqueIndex.IsSubset(e, attributes));
                edges.Add(attributes);
            }

            double[] before = estimates[pick];
            total = PgmEstimator.EstimateTotal(measurements);
            model = PgmEstimator.Fit(domain, measurements, total, SynthesisTuning.RoundIterations, model);
            double[] after = Aggregate(model.Project(attributes), cellMap, coarseSize);
            double change = before.Zip(after, (x, y) => Math.Abs(x - y)).Sum();
            if (change <= penalty * coarseSize)
            {
                sigma /= 2;
                epsilon *= 2;
            }
        }

        progress?.Report(new SynthesisProgress("estimating the graphical model", 0.85));
        model = PgmEstimator.Fit(domain, measurements, total, SynthesisTuning.Iterations, model);
        return (model, edges);
    }

    /// <summary>Every set of 2 to <paramref name="maxColumns"/> of the <paramref name="d"/> columns, ascending.</summary>
    private static IEnumerable<int[]> Subsets(int d, int maxColumns)
    {
        for (int a = 0; a < d; a++)
        {
            for (int b = a + 1; b < d; b++)
            {
                yield return [a, b];
                if (maxColumns >= 3)
                {
                    for (int c = b + 1; c < d; c++)
                    {
                        yield return [a, b, c];
                    }
                }
            }
        }
    }

    private static double[] Aggregate(double[] fine, int[] cellMap, int coarseSize)
    {
        var coarse = new double[coarseSize];
        for (int c = 0; c < fine.Length; c++)
        {
            coarse[cellMap[c]] += fine[c];
        }

        return coarse;
    }
}
