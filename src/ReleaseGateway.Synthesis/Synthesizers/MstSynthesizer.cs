using ReleaseGateway.Privacy.Mechanisms;
using ReleaseGateway.Synthesis.Models;

namespace ReleaseGateway.Synthesis.Synthesizers;

/// <summary>
/// MST (McKenna, Miklau and Sheldon, "Winning the NIST Contest", JPC 2021) on our engine: all 1-way
/// marginals, a maximum spanning tree of 2-way marginals chosen by d-1 rounds of the exponential
/// mechanism (quality = L1 distance between the true pair marginal and the independent estimate),
/// the tree's pairs measured, a graphical model fitted. Differences from the reference: 1-way
/// measurements are denoised by segmentation, and pairs are measured on equal-mass coarse cells
/// sized to the noisy record count so the noise stays below the signal on small tables.
/// </summary>
internal static class MstSynthesizer
{
    internal const double OneWayShare = 0.4;
    private const double SelectionShare = 0.1;

    public static (GraphicalModel Model, List<int[]> Cliques) Run(Measurer measurer, IReadOnlyList<string> names, double rho, IProgress<SynthesisProgress>? progress)
    {
        IReadOnlyList<int> domain = measurer.Domain;
        int d = domain.Count;
        OneWayPhase oneWay = OneWayPhase.Run(measurer, names, d == 1 ? rho : rho * OneWayShare, SynthesisTuning.SegmentPenalty);
        var measurements = new List<Measurement>(oneWay.Measurements);
        var cliques = new List<int[]>();
        if (d > 1)
        {
            progress?.Report(new SynthesisProgress("selecting a spanning tree", 0.2));
            double rhoSelect = rho * SelectionShare;
            // A hair under the remainder, so floating-point rounding can never overdraw the budget.
            double rhoPairs = (measurer.Accountant.RemainingRho - rhoSelect) * (1 - 1e-9);
            double sigma = Math.Sqrt((d - 1) / (2 * rhoPairs));
            int maxCells = SynthesisTuning.MaxCells(oneWay.Total, sigma);
            var candidates = new List<(int[] Attributes, int[] CellMap, int CoarseSize)>();
            var estimates = new List<double[]>();
            for (int a = 0; a < d; a++)
            {
                for (int b = a + 1; b < d; b++)
                {
                    var candidate = SynthesisTuning.PairCells(a, b, domain, oneWay.Estimates, maxCells);
                    candidates.Add(candidate);
                    estimates.Add(SynthesisTuning.IndependentEstimate(candidate, domain, oneWay.Estimates, oneWay.Total));
                }
            }

            var component = Enumerable.Range(0, d).ToArray();
            int Find(int x) => component[x] == x ? x : component[x] = Find(component[x]);
            double epsilonRound = ExponentialMechanism.EpsilonForRho(rhoSelect / (d - 1));
            var chosen = new List<int>();
            for (int round = 0; round < d - 1; round++)
            {
                var open = Enumerable.Range(0, candidates.Count).Where(i => Find(candidates[i].Attributes[0]) != Find(candidates[i].Attributes[1])).ToArray();
                int pick = open[measurer.Select(
                    open.Select(i => candidates[i]).ToArray(),
                    open.Select(i => estimates[i]).ToArray(),
                    new double[open.Length],
                    Enumerable.Repeat(1.0, open.Length).ToArray(),
                    epsilonRound,
                    $"select tree edge {round + 1}")];
                chosen.Add(pick);
                component[Find(candidates[pick].Attributes[0])] = Find(candidates[pick].Attributes[1]);
            }

            progress?.Report(new SynthesisProgress("measuring the tree", 0.4));
            foreach (int i in chosen)
            {
                (int[] attributes, int[] cellMap, int coarseSize) = candidates[i];
                measurements.Add(measurer.Measure(attributes, cellMap, coarseSize, sigma, $"2-way {names[attributes[0]]} x {names[attributes[1]]} on {coarseSize} cells"));
                cliques.Add(attributes);
            }
        }

        progress?.Report(new SynthesisProgress("estimating the graphical model", 0.6));
        GraphicalModel model = PgmEstimator.Fit(domain, measurements, PgmEstimator.EstimateTotal(measurements), SynthesisTuning.Iterations);
        return (model, cliques);
    }
}
