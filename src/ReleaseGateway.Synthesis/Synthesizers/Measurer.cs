using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Privacy.Mechanisms;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Synthesis.Marginals;
using ReleaseGateway.Synthesis.Models;

namespace ReleaseGateway.Synthesis.Synthesizers;

/// <summary>
/// The one place where private counts are touched: counts come from the <see cref="IMarginalSource"/>,
/// are aggregated to the requested (public or DP-derived) coarse cells, and leave only with discrete
/// Gaussian noise (Gaussian mechanism, L2 sensitivity 1, rho = 1 / (2 sigma^2)) or as scores of
/// the exponential mechanism. Every release is charged to the accountant before it is made.
/// </summary>
internal sealed class Measurer(IMarginalSource source, ZcdpAccountant accountant, IRandomSource random)
{
    private readonly Dictionary<string, double[]> cache = [];
    private readonly List<Measurement> measurements = [];

    /// <summary>Every noisy measurement made, in order: already paid for, so anything computed from them is post-processing.</summary>
    public IReadOnlyList<Measurement> Measurements => measurements;

    public IReadOnlyList<int> Domain => source.DomainSizes;

    public ZcdpAccountant Accountant => accountant;

    public IRandomSource Random => random;

    /// <summary>Measures the marginal over <paramref name="attributes"/> aggregated by <paramref name="cellMap"/> with noise sigma.</summary>
    public Measurement Measure(int[] attributes, int[] cellMap, int coarseSize, double sigma, string label)
    {
        var noise = new DiscreteGaussian(sigma);
        accountant.Charge($"{label} (discrete Gaussian, sigma^2 = {noise.SigmaSquared:G6})", noise.Rho());
        double[] coarse = Coarse(attributes, cellMap, coarseSize);
        var values = new double[coarseSize];
        for (int c = 0; c < coarseSize; c++)
        {
            values[c] = coarse[c] + noise.Sample(random);
        }

        var weights = Enumerable.Repeat(1 / noise.SigmaSquared, coarseSize).ToArray();
        var measurement = new Measurement(attributes, cellMap, values, weights, label);
        measurements.Add(measurement);
        return measurement;
    }

    /// <summary>
    /// Exponential-mechanism selection with quality = -(L1 distance) between each candidate's true
    /// coarse marginal and <paramref name="estimates"/>, plus a public <paramref name="bias"/>.
    /// Sensitivity: adding or removing a record moves one coarse cell by 1, so each L1 score moves
    /// by at most 1 (times <paramref name="scale"/>, the candidate's public workload weight).
    /// </summary>
    public int Select(IReadOnlyList<(int[] Attributes, int[] CellMap, int CoarseSize)> candidates, IReadOnlyList<double[]> estimates, IReadOnlyList<double> bias, IReadOnlyList<double> scale, double epsilon, string label)
    {
        double sensitivity = scale.Max();
        accountant.Charge($"{label} (exponential mechanism, epsilon = {epsilon:G6}, sensitivity = {sensitivity:G4})", ExponentialMechanism.Rho(epsilon));
        var scores = new double[candidates.Count];
        for (int i = 0; i < candidates.Count; i++)
        {
            double[] truth = Coarse(candidates[i].Attributes, candidates[i].CellMap, candidates[i].CoarseSize);
            double l1 = 0;
            for (int c = 0; c < truth.Length; c++)
            {
                l1 += Math.Abs(truth[c] - estimates[i][c]);
            }

            scores[i] = scale[i] * (l1 + bias[i]);
        }

        return ExponentialMechanism.Select(random, scores, epsilon, sensitivity);
    }

    private double[] Coarse(int[] attributes, int[] cellMap, int coarseSize)
    {
        string key = string.Join(",", attributes);
        if (!cache.TryGetValue(key, out double[]? fine))
        {
            fine = source.Count(attributes);
            cache[key] = fine;
        }

        var coarse = new double[coarseSize];
        for (int c = 0; c < fine.Length; c++)
        {
            coarse[cellMap[c]] += fine[c];
        }

        return coarse;
    }
}
