using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Evaluation.Statistics;

namespace ReleaseGateway.Evaluation.Attacks;

/// <summary>The privacy loss a membership attack demonstrates, with how it was obtained.</summary>
/// <param name="LowerBound">ε that holds with the stated confidence; 0 when the attack proves nothing.</param>
/// <param name="Threshold">Score threshold chosen on the calibration half (score ≥ threshold ⇒ "member").</param>
/// <param name="TruePositives">Members above the threshold in the test half.</param>
/// <param name="Members">Members in the test half.</param>
/// <param name="FalsePositives">Non-members above the threshold in the test half.</param>
/// <param name="NonMembers">Non-members in the test half.</param>
/// <param name="Confidence">Joint confidence of the bound.</param>
public sealed record EpsilonEstimate(
    double LowerBound,
    double Threshold,
    int TruePositives,
    int Members,
    int FalsePositives,
    int NonMembers,
    double Confidence);

/// <summary>
/// Empirical lower bound on ε from a membership-inference attack (Jagielski et al. 2020, "Auditing
/// differentially private machine learning"; Nasr et al. 2021). An (ε, δ)-DP mechanism forces every
/// test to satisfy TPR ≤ e^ε·FPR + δ and TNR ≤ e^ε·FNR + δ, hence
/// ε ≥ max{ ln[(1 − δ − FPR)/FNR], ln[(1 − δ − FNR)/FPR] }.
/// Using one-sided Clopper–Pearson upper bounds for FPR and FNR (each at 1 − α/2) makes the bound
/// hold with confidence 1 − α. The threshold is chosen on one random half of the scores and the bound
/// is computed on the other half, so choosing the best threshold does not inflate it.
/// </summary>
public static class EmpiricalEpsilon
{
    /// <summary>
    /// Estimates the ε lower bound from member and non-member scores (higher ⇒ member).
    /// </summary>
    /// <param name="memberScores">Scores of training records.</param>
    /// <param name="nonMemberScores">Scores of holdout records.</param>
    /// <param name="delta">δ of the claimed guarantee, in [0, 1).</param>
    /// <param name="confidence">Joint confidence of the bound, e.g. 0.95.</param>
    /// <param name="random">Random source for the calibration/test split.</param>
    public static EpsilonEstimate Estimate(
        IReadOnlyList<double> memberScores,
        IReadOnlyList<double> nonMemberScores,
        double delta,
        double confidence,
        IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(memberScores);
        ArgumentNullException.ThrowIfNull(nonMemberScores);
        ArgumentNullException.ThrowIfNull(random);
        if (!(delta >= 0 && delta < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), "δ must lie in [0, 1).");
        }

        if (!(confidence > 0 && confidence < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), "Confidence must lie in (0, 1).");
        }

        if (memberScores.Count < 2 || nonMemberScores.Count < 2)
        {
            // Too few records to hold out a test half: nothing can be proven.
            return new EpsilonEstimate(0, double.PositiveInfinity, 0, memberScores.Count, 0, nonMemberScores.Count, confidence);
        }

        var (calMembers, testMembers) = Halve(memberScores, random);
        var (calNon, testNon) = Halve(nonMemberScores, random);
        var threshold = BestThreshold(calMembers, calNon, delta, confidence);
        var tp = testMembers.Count(s => s >= threshold);
        var fp = testNon.Count(s => s >= threshold);
        var bound = Bound(tp, testMembers.Length, fp, testNon.Length, delta, confidence);
        return new EpsilonEstimate(bound, threshold, tp, testMembers.Length, fp, testNon.Length, confidence);
    }

    /// <summary>
    /// The ε lower bound at one threshold: TP of P members and FP of N non-members flagged.
    /// </summary>
    public static double Bound(int truePositives, int members, int falsePositives, int nonMembers, double delta, double confidence)
    {
        if (members <= 0 || nonMembers <= 0)
        {
            return 0;
        }

        var perRate = 1 - (1 - confidence) / 2;
        var fprUpper = BinomialConfidence.ClopperPearsonUpper(falsePositives, nonMembers, perRate);
        var fnrUpper = BinomialConfidence.ClopperPearsonUpper(members - truePositives, members, perRate);
        var a = Ratio(1 - delta - fprUpper, fnrUpper);
        var b = Ratio(1 - delta - fnrUpper, fprUpper);
        return Math.Max(0, Math.Max(a, b));
    }

    private static double Ratio(double numerator, double denominator) =>
        numerator <= 0 || denominator <= 0 ? 0 : Math.Log(numerator / denominator);

    private static double BestThreshold(double[] members, double[] nonMembers, double delta, double confidence)
    {
        var thresholds = members.Concat(nonMembers).Distinct().OrderByDescending(s => s).ToArray();
        Array.Sort(members);
        Array.Sort(nonMembers);
        var best = double.PositiveInfinity;
        var bestBound = -1.0;
        foreach (var t in thresholds)
        {
            var tp = members.Length - LowerBoundIndex(members, t);
            var fp = nonMembers.Length - LowerBoundIndex(nonMembers, t);
            var bound = Bound(tp, members.Length, fp, nonMembers.Length, delta, confidence);
            if (bound > bestBound)
            {
                bestBound = bound;
                best = t;
            }
        }

        return best;
    }

    private static int LowerBoundIndex(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static (double[] First, double[] Second) Halve(IReadOnlyList<double> scores, IRandomSource random)
    {
        var shuffled = scores.ToArray();
        random.Shuffle(shuffled);
        var half = shuffled.Length / 2;
        return (shuffled[..half], shuffled[half..]);
    }
}
