using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Privacy.Mechanisms;

/// <summary>
/// A DP threshold test: AboveThreshold (Dwork and Roth, <i>The Algorithmic Foundations of Differential Privacy</i>,
/// 2014, §3.6, Algorithm 1, Theorem 3.23) over a sequence of integer-valued statistics of L1 sensitivity Δ, with exact
/// discrete Laplace noise (<see cref="DiscreteLaplace"/>). It reveals only the index of the first statistic found above
/// its threshold (or none), and is ε-DP for the whole sequence, hence ε²/2-zCDP (Bun and Steinke 2016, Prop. 1.4).
/// </summary>
/// <remarks>
/// <para>Algorithm: draw the threshold noise ρ̂ ~ DLap(2Δ/ε) once; for i = 1, 2, …, draw fresh ν_i ~ DLap(4Δ/ε) and stop
/// with answer i at the first f_i(D) + ν_i ≥ T_i + ρ̂. Per-query thresholds T_i are public constants, so this is
/// AboveThreshold on the queries f_i − T_i (same sensitivity) against threshold 0. The privacy proof (Theorem 3.23) shifts
/// ρ̂ by Δ and ν_k by 2Δ; with integer statistics and integer Δ these shifts are integers, and a discrete Laplace of
/// scale b changes probability by at most e^{|s|/b} under an integer shift s, so the proof holds verbatim for the
/// discrete noise (ε/2 from each shift).</para>
/// <para>Avoided variants that Lyu, Su and Li ("Understanding the sparse vector technique for differential privacy",
/// VLDB 2017, arXiv:1603.01699) show are not private: no noise on the queries, query noise that does not scale with the
/// sensitivity, a threshold noise reused after a positive answer, continuing past the first positive answer without a
/// new budget, and releasing the noisy query value with the answer. Only the index is returned.</para>
/// <para>The scales are rational t/s with s = 2^20 and t rounded up, so each is at least its nominal value (more noise,
/// never less privacy).</para>
/// </remarks>
public static class NoisyThreshold
{
    private const ulong ScaleDenominator = 1UL << 20;

    /// <summary>
    /// AboveThreshold: the index of the first statistic whose noisy value reaches its noisy threshold, or −1 if none does.
    /// </summary>
    /// <param name="random">Secret randomness (the attempt's <see cref="RandomPurpose.Gates"/> stream in production).</param>
    /// <param name="values">f_i(D): integer statistics, each of L1 sensitivity at most <paramref name="sensitivity"/> per unit.</param>
    /// <param name="thresholds">T_i, one per value (public).</param>
    /// <param name="sensitivity">Δ &gt;= 1.</param>
    /// <param name="epsilon">ε &gt; 0 for the whole sequence.</param>
    public static int FirstAbove(IRandomSource random, IReadOnlyList<long> values, IReadOnlyList<long> thresholds, long sensitivity, double epsilon)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(thresholds);
        if (values.Count != thresholds.Count)
        {
            throw new ArgumentException("one threshold per value", nameof(thresholds));
        }

        var scales = Scales(sensitivity, epsilon);
        long thresholdNoise = DiscreteLaplace.Sample(random, scales.ThresholdNumerator, scales.Denominator);
        for (int i = 0; i < values.Count; i++)
        {
            long queryNoise = DiscreteLaplace.Sample(random, scales.QueryNumerator, scales.Denominator);
            if (checked(values[i] + queryNoise) >= checked(thresholds[i] + thresholdNoise))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>One noisy test f(D) ≥ T: AboveThreshold with a single query, ε-DP.</summary>
    public static bool IsAbove(IRandomSource random, long value, long threshold, long sensitivity, double epsilon) =>
        FirstAbove(random, [value], [threshold], sensitivity, epsilon) == 0;

    /// <summary>ε²/2: the zCDP of an ε-DP AboveThreshold run (Bun and Steinke 2016, Prop. 1.4).</summary>
    public static double Rho(double epsilon) => epsilon * epsilon / 2;

    /// <summary>
    /// The discrete Laplace scales used for sensitivity Δ and ε: threshold 2Δ/ε and query 4Δ/ε, as numerators over a
    /// common denominator, rounded up.
    /// </summary>
    public static NoiseScales Scales(long sensitivity, double epsilon)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sensitivity, 1);
        if (!(epsilon > 0) || !double.IsFinite(epsilon))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be positive and finite");
        }

        double threshold = Math.Ceiling(2.0 * sensitivity / epsilon * ScaleDenominator);
        if (!(threshold < 1e18))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon is too small for the noise scale to be represented");
        }

        return new NoiseScales((ulong)threshold, 2 * (ulong)threshold, ScaleDenominator);
    }

    /// <summary>Discrete Laplace scales t/s of AboveThreshold.</summary>
    /// <param name="ThresholdNumerator">t of the threshold noise (≥ 2Δ/ε · s).</param>
    /// <param name="QueryNumerator">t of the query noise, twice the threshold's.</param>
    /// <param name="Denominator">s.</param>
    public readonly record struct NoiseScales(ulong ThresholdNumerator, ulong QueryNumerator, ulong Denominator)
    {
        /// <summary>The threshold noise's scale as a double.</summary>
        public double ThresholdScale => (double)ThresholdNumerator / Denominator;

        /// <summary>The query noise's scale as a double.</summary>
        public double QueryScale => (double)QueryNumerator / Denominator;
    }
}
