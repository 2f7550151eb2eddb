using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Evaluation.Statistics;

/// <summary>
/// Singling-out successes a control set of m rows would have had at the training set's size n.
/// </summary>
/// <param name="Successes">Estimated number of predicates that single out one record in n fresh rows.</param>
/// <param name="StandardError">Bootstrap standard error of <paramref name="Successes"/> over the control rows.</param>
public sealed record ControlSizeEstimate(double Successes, double StandardError);

/// <summary>
/// The control-size correction of singling out (ADR 0008). A predicate that matches a random record with probability w
/// singles out in n records with probability n·w·(1 − w)^(n−1) (Cohen &amp; Nissim 2020). From c matches among m &lt; n
/// control rows no unbiased estimator of that quantity exists: only polynomials of degree ≤ m in w have one
/// (Halmos 1946), and this one has degree n. The estimate therefore borrows strength across the predicates
/// (empirical Bayes, Robbins 1956): their w are modelled as draws from one distribution G, estimated without a
/// parametric form as the nonparametric maximum-likelihood mixing distribution on a grid (Kiefer &amp; Wolfowitz 1956;
/// EM as in Jiang &amp; Zhang 2009), and each predicate contributes its posterior expectation of n·w·(1 − w)^(n−1).
/// A fixed Jeffreys prior per predicate, and a fitted Beta prior, both overestimate on a partly-copied release, whose
/// predicates mix a spike of near-zero w with broad ones (the test and ADR 0008 give the figures). The interval comes
/// from a bootstrap over the control rows that refits G each time, so it carries the fit's uncertainty too.
/// </summary>
public static class ControlSizeCorrection
{
    private const int EmIterations = 300;

    /// <summary>Estimate and bootstrap standard error from, for each predicate, the control rows it matches.</summary>
    /// <param name="matches">Per predicate, the indices (0 ≤ i &lt; <paramref name="controlRows"/>) of matching control rows.</param>
    /// <param name="controlRows">m, rows in the control set.</param>
    /// <param name="targetRows">n, rows in the training set.</param>
    /// <param name="resamples">Bootstrap resamples (fewer than 2: no standard error).</param>
    /// <param name="random">Random source of the bootstrap.</param>
    public static ControlSizeEstimate Estimate(IReadOnlyList<int[]> matches, int controlRows, int targetRows, int resamples, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(matches);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(controlRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(targetRows, 1);
        var counts = matches.Select(m => m.Length).ToArray();
        var estimate = ExpectedSuccesses(counts, controlRows, targetRows);
        if (resamples < 2 || counts.Length == 0)
        {
            return new ControlSizeEstimate(estimate, 0);
        }

        var weights = new int[controlRows];
        var resampled = new int[counts.Length];
        var draws = new double[resamples];
        for (var b = 0; b < resamples; b++)
        {
            Array.Clear(weights);
            for (var i = 0; i < controlRows; i++)
            {
                weights[random.NextInt(controlRows)]++;
            }

            for (var q = 0; q < matches.Count; q++)
            {
                var c = 0;
                foreach (var row in matches[q])
                {
                    c += weights[row];
                }

                resampled[q] = Math.Min(c, controlRows);
            }

            draws[b] = ExpectedSuccesses(resampled, controlRows, targetRows);
        }

        var mean = draws.Average();
        return new ControlSizeEstimate(estimate, Math.Sqrt(draws.Sum(d => (d - mean) * (d - mean)) / (resamples - 1)));
    }

    /// <summary>
    /// Σ over predicates of E[n·w·(1 − w)^(n−1) | c], w drawn from the grid distribution fitted to all
    /// <paramref name="counts"/> (c matches of each predicate among <paramref name="controlRows"/> rows).
    /// </summary>
    public static double ExpectedSuccesses(IReadOnlyList<int> counts, int controlRows, int targetRows)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Count == 0)
        {
            return 0;
        }

        double m = controlRows, n = targetRows;
        // Grid: 0, then geometric from 1/(100·n) to 1 (8 points per decade) — fine where n·w(1 − w)^(n−1) varies.
        var grid = new List<double> { 0 };
        for (var w = 1 / (100 * n); w < 1; w *= Math.Pow(10, 1.0 / 8))
        {
            grid.Add(w);
        }

        grid.Add(1);
        var k = grid.Count;
        var groups = counts.CountBy(c => c).Select(g => (C: (double)g.Key, Times: (double)g.Value)).ToArray();
        // Likelihood of each distinct count under each grid point, scaled per count (the binomial coefficient cancels).
        var like = new double[groups.Length, k];
        for (var g = 0; g < groups.Length; g++)
        {
            var c = groups[g].C;
            var logs = grid.Select(w => LogPower(w, c) + LogPower(1 - w, m - c)).ToArray();
            var top = logs.Max();
            for (var j = 0; j < k; j++)
            {
                like[g, j] = Math.Exp(logs[j] - top);
            }
        }

        var weights = Enumerable.Repeat(1.0 / k, k).ToArray();
        var next = new double[k];
        var total = groups.Sum(g => g.Times);
        for (var iteration = 0; iteration < EmIterations; iteration++)
        {
            Array.Clear(next);
            for (var g = 0; g < groups.Length; g++)
            {
                var denominator = 0.0;
                for (var j = 0; j < k; j++)
                {
                    denominator += weights[j] * like[g, j];
                }

                for (var j = 0; j < k; j++)
                {
                    next[j] += groups[g].Times * weights[j] * like[g, j] / denominator;
                }
            }

            for (var j = 0; j < k; j++)
            {
                weights[j] = next[j] / total;
            }
        }

        var gain = grid.Select(w => w <= 0 ? 0 : Math.Exp(Math.Log(n) + Math.Log(w) + LogPower(1 - w, n - 1))).ToArray();
        var sum = 0.0;
        for (var g = 0; g < groups.Length; g++)
        {
            double numerator = 0, denominator = 0;
            for (var j = 0; j < k; j++)
            {
                var p = weights[j] * like[g, j];
                numerator += p * gain[j];
                denominator += p;
            }

            sum += groups[g].Times * numerator / denominator;
        }

        return Math.Min(counts.Count, sum);
    }

    // x^e in logs with 0^0 = 1.
    private static double LogPower(double x, double e) => e == 0 ? 0 : x <= 0 ? double.NegativeInfinity : e * Math.Log(x);
}
