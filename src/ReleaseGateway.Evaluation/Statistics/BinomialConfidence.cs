using MathNet.Numerics.Distributions;

namespace ReleaseGateway.Evaluation.Statistics;

/// <summary>A closed interval [Lower, Upper].</summary>
public readonly record struct Interval(double Lower, double Upper);

/// <summary>Confidence intervals for a binomial proportion k/n.</summary>
public static class BinomialConfidence
{
    /// <summary>
    /// Exact (Clopper–Pearson 1934) two-sided interval at level <paramref name="confidence"/>:
    /// lower = Beta⁻¹(α/2; k, n−k+1), upper = Beta⁻¹(1−α/2; k+1, n−k), with 0 and 1 at the edges.
    /// Conservative: coverage is at least the nominal level for every true proportion.
    /// </summary>
    public static Interval ClopperPearson(int successes, int trials, double confidence)
    {
        Check(successes, trials, confidence);
        if (trials == 0)
        {
            return new Interval(0, 1);
        }

        var alpha = 1 - confidence;
        var lower = successes == 0 ? 0.0 : Beta.InvCDF(successes, trials - successes + 1, alpha / 2);
        var upper = successes == trials ? 1.0 : Beta.InvCDF(successes + 1, trials - successes, 1 - alpha / 2);
        return new Interval(lower, upper);
    }

    /// <summary>One-sided Clopper–Pearson upper bound: P(p ≤ bound) ≥ <paramref name="confidence"/>.</summary>
    public static double ClopperPearsonUpper(int successes, int trials, double confidence)
    {
        Check(successes, trials, confidence);
        if (trials == 0 || successes == trials)
        {
            return 1.0;
        }

        return Beta.InvCDF(successes + 1, trials - successes, confidence);
    }

    /// <summary>
    /// Wilson (1927) score estimate as used by Anonymeter (Giomi et al. 2023): rate = (k + z²/2)/(n + z²),
    /// error = z/(n + z²)·√(k(n−k)/n + z²/4), with z the two-sided normal quantile of <paramref name="confidence"/>.
    /// </summary>
    public static (double Rate, double Error) Wilson(double successes, int trials, double confidence)
    {
        if (trials <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(trials), "At least one trial is required.");
        }

        if (successes < 0 || successes > trials)
        {
            throw new ArgumentOutOfRangeException(nameof(successes), $"Successes {successes} outside 0..{trials}.");
        }

        CheckConfidence(confidence);
        var z = Normal.InvCDF(0, 1, 0.5 * (1 + confidence));
        var z2 = z * z;
        var variance = successes * (trials - successes) / trials;
        var denominator = trials + z2;
        return ((successes + 0.5 * z2) / denominator, z / denominator * Math.Sqrt(variance + 0.25 * z2));
    }

    private static void Check(int successes, int trials, double confidence)
    {
        if (trials < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(trials), "Trials must be non-negative.");
        }

        if (successes < 0 || successes > trials)
        {
            throw new ArgumentOutOfRangeException(nameof(successes), $"Successes {successes} outside 0..{trials}.");
        }

        CheckConfidence(confidence);
    }

    private static void CheckConfidence(double confidence)
    {
        if (!(confidence > 0 && confidence < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), "Confidence must lie in (0, 1).");
        }
    }
}
