using ReleaseGateway.Synthesis.Models;

namespace ReleaseGateway.Synthesis.Synthesizers;

/// <summary>
/// First phase shared by all methods: every 1-way marginal, measured in two stages. Stage one
/// measures each column at full resolution; its noisy counts are segmented into runs of adjacent
/// codes with similar counts (post-processing). Stage two measures each column again directly on
/// those segments, where a segment of s codes gets noise sigma instead of the sigma sqrt(s) of merged
/// fine counts. A spike (most records on one code) and long flat tails are thus both captured on
/// small tables. Yields the measurements the model is fitted to, the noisy record count and a
/// 1-way estimate per column.
/// </summary>
internal sealed class OneWayPhase
{
    private OneWayPhase(List<Measurement> measurements, double total, double[][] estimates)
    {
        Measurements = measurements;
        Total = total;
        Estimates = estimates;
    }

    /// <summary>The 1-way measurements (two per column), ready for the model.</summary>
    public List<Measurement> Measurements { get; }

    /// <summary>Noisy record count (inverse-variance weighted sums of the 1-way measurements).</summary>
    public double Total { get; }

    /// <summary>Non-negative 1-way estimate per column (counts summing to <see cref="Total"/>).</summary>
    public double[][] Estimates { get; }

    public static OneWayPhase Run(Measurer measurer, IReadOnlyList<string> names, double rho, double segmentPenalty)
    {
        IReadOnlyList<int> domain = measurer.Domain;
        int d = domain.Count;
        double firstShare = SynthesisTuning.OneWayFirstStageShare;
        double sigmaFine = Math.Sqrt(d / (2 * rho * firstShare));
        double sigmaSegments = Math.Sqrt(d / (2 * rho * (1 - firstShare) * (1 - 1e-9)));
        var measurements = new List<Measurement>();
        var segmentMaps = new int[d][];
        var fine = new Measurement[d];
        for (int a = 0; a < d; a++)
        {
            fine[a] = measurer.Measure([a], Coarsening.Identity(domain[a]), domain[a], sigmaFine, $"1-way {names[a]}");
            Measurement segmented = Segmented(fine[a], segmentPenalty);
            measurements.Add(segmented);
            segmentMaps[a] = segmented.CellMap;
        }

        double firstTotal = PgmEstimator.EstimateTotal(fine);
        var second = new Measurement[d];
        for (int a = 0; a < d; a++)
        {
            int[] map = segmentMaps[a];
            int groups = Coarsening.GroupCount(map);
            if (groups == 1 && domain[a] > 1)
            {
                // No structure found: measure halves of equal estimated mass (uniform) instead of only the total.
                map = Coarsening.EqualMass(Enumerable.Repeat(firstTotal / domain[a], domain[a]).ToArray(), 2);
                groups = 2;
            }

            second[a] = measurer.Measure([a], map, groups, sigmaSegments, $"1-way {names[a]} on {groups} segments");
            measurements.Add(second[a]);
        }

        double total = PgmEstimator.EstimateTotal(fine.Concat(second).ToArray());
        var estimates = new double[d][];
        for (int a = 0; a < d; a++)
        {
            estimates[a] = Estimate(measurements.Where(m => m.Attributes[0] == a).ToArray(), domain[a], total);
        }

        return new OneWayPhase(measurements, total, estimates);
    }

    /// <summary>Fine measurement merged into C_p-optimal runs of adjacent codes (post-processing).</summary>
    private static Measurement Segmented(Measurement fine, double penalty)
    {
        double sigma2 = 1 / fine.Weights[0];
        int[] segment = Coarsening.Segment(fine.Values, sigma2, penalty);
        int segments = Coarsening.GroupCount(segment);
        var values = new double[segments];
        var sizes = new int[segments];
        for (int c = 0; c < segment.Length; c++)
        {
            values[segment[c]] += fine.Values[c];
            sizes[segment[c]]++;
        }

        return new Measurement(fine.Attributes, segment, values, sizes.Select(s => 1 / (s * sigma2)).ToArray(), fine.Label + " (segmented)");
    }

    /// <summary>
    /// Non-negative 1-way estimate: per code, the inverse-variance weighted average of the
    /// measurements' per-code densities (segment count / segment size), clipped at 0, scaled to total.
    /// </summary>
    private static double[] Estimate(IReadOnlyList<Measurement> measurements, int k, double total)
    {
        var estimate = new double[k];
        for (int c = 0; c < k; c++)
        {
            double weighted = 0, weights = 0;
            foreach (Measurement m in measurements)
            {
                int g = m.CellMap[c];
                int size = m.CellMap.Count(x => x == g);
                double variance = 1 / m.Weights[g] / (size * (double)size);
                weighted += m.Values[g] / size / variance;
                weights += 1 / variance;
            }

            estimate[c] = Math.Max(0, weighted / weights);
        }

        double sum = estimate.Sum();
        return sum > 0 ? estimate.Select(e => e / sum * total).ToArray() : estimate.Select(_ => total / k).ToArray();
    }
}
