namespace ReleaseGateway.Evaluation.Statistics;

/// <summary>
/// Receiver operating characteristic of a score that is higher for members (positives) than for
/// non-members (negatives). Points are taken at every distinct score, so tied scores form one
/// segment; reading the curve between points corresponds to breaking ties at random, which is
/// what an attacker facing ties can achieve.
/// </summary>
public sealed class RocCurve
{
    private RocCurve(double[] fpr, double[] tpr, double auc, int positives, int negatives)
    {
        Fpr = fpr;
        Tpr = tpr;
        Auc = auc;
        Positives = positives;
        Negatives = negatives;
    }

    /// <summary>False-positive rates, increasing from 0 to 1.</summary>
    public double[] Fpr { get; }

    /// <summary>True-positive rates at the same thresholds.</summary>
    public double[] Tpr { get; }

    /// <summary>Area under the curve = P(score⁺ &gt; score⁻) + ½·P(tie) (Mann–Whitney).</summary>
    public double Auc { get; }

    /// <summary>Number of members scored.</summary>
    public int Positives { get; }

    /// <summary>Number of non-members scored.</summary>
    public int Negatives { get; }

    /// <summary>Builds the curve; both score sets must be non-empty and finite (use ±∞ nowhere).</summary>
    public static RocCurve Compute(IReadOnlyList<double> positiveScores, IReadOnlyList<double> negativeScores)
    {
        ArgumentNullException.ThrowIfNull(positiveScores);
        ArgumentNullException.ThrowIfNull(negativeScores);
        if (positiveScores.Count == 0 || negativeScores.Count == 0)
        {
            throw new ArgumentException("Both members and non-members are needed for a ROC curve.");
        }

        var all = new (double Score, bool Positive)[positiveScores.Count + negativeScores.Count];
        var k = 0;
        foreach (var s in positiveScores)
        {
            all[k++] = (CheckFinite(s), true);
        }

        foreach (var s in negativeScores)
        {
            all[k++] = (CheckFinite(s), false);
        }

        Array.Sort(all, (a, b) => b.Score.CompareTo(a.Score));
        var fpr = new List<double> { 0 };
        var tpr = new List<double> { 0 };
        double p = positiveScores.Count, n = negativeScores.Count;
        int tp = 0, fp = 0;
        var auc = 0.0;
        var i = 0;
        while (i < all.Length)
        {
            var j = i;
            int dtp = 0, dfp = 0;
            while (j < all.Length && all[j].Score == all[i].Score)
            {
                if (all[j].Positive)
                {
                    dtp++;
                }
                else
                {
                    dfp++;
                }

                j++;
            }

            // Trapezoid over the tied block = Mann–Whitney with half credit for ties.
            auc += dfp / n * (tp + 0.5 * dtp) / p;
            tp += dtp;
            fp += dfp;
            fpr.Add(fp / n);
            tpr.Add(tp / p);
            i = j;
        }

        return new RocCurve(fpr.ToArray(), tpr.ToArray(), auc, positiveScores.Count, negativeScores.Count);
    }

    /// <summary>TPR when the threshold admits a false-positive rate of <paramref name="fpr"/>, interpolated linearly between curve points.</summary>
    public double TprAtFpr(double fpr)
    {
        if (!(fpr >= 0 && fpr <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fpr), "FPR must lie in [0, 1].");
        }

        // The last curve point within the allowed FPR carries the best TPR there; between it and the next
        // point a randomised threshold reaches the straight line joining them.
        var last = 0;
        while (last + 1 < Fpr.Length && Fpr[last + 1] <= fpr)
        {
            last++;
        }

        if (last + 1 == Fpr.Length)
        {
            return Tpr[last];
        }

        return Tpr[last] + (Tpr[last + 1] - Tpr[last]) * (fpr - Fpr[last]) / (Fpr[last + 1] - Fpr[last]);
    }

    /// <summary>Membership advantage = max over thresholds of TPR − FPR (Yeom et al. 2018).</summary>
    public double Advantage()
    {
        var best = 0.0;
        for (var i = 0; i < Fpr.Length; i++)
        {
            best = Math.Max(best, Tpr[i] - Fpr[i]);
        }

        return best;
    }

    /// <summary>
    /// Approximate confidence interval for the AUC from the Hanley–McNeil (1982) standard error,
    /// SE² = [A(1−A) + (n⁺−1)(Q₁−A²) + (n⁻−1)(Q₂−A²)]/(n⁺n⁻), Q₁ = A/(2−A), Q₂ = 2A²/(1+A).
    /// </summary>
    public Interval AucInterval(double confidence)
    {
        var a = Auc;
        double np = Positives, nn = Negatives;
        var q1 = a / (2 - a);
        var q2 = 2 * a * a / (1 + a);
        var variance = (a * (1 - a) + (np - 1) * (q1 - a * a) + (nn - 1) * (q2 - a * a)) / (np * nn);
        var z = MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, 0.5 * (1 + confidence));
        var se = Math.Sqrt(Math.Max(variance, 0));
        return new Interval(Math.Max(0, a - z * se), Math.Min(1, a + z * se));
    }

    /// <summary>At most <paramref name="maxPoints"/> points of the curve (always including both ends), for plotting and reports.</summary>
    public (double[] Fpr, double[] Tpr) Thin(int maxPoints)
    {
        if (maxPoints < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(maxPoints), "At least two points are needed.");
        }

        if (Fpr.Length <= maxPoints)
        {
            return ((double[])Fpr.Clone(), (double[])Tpr.Clone());
        }

        var fpr = new double[maxPoints];
        var tpr = new double[maxPoints];
        for (var i = 0; i < maxPoints; i++)
        {
            var index = (int)Math.Round(i * (Fpr.Length - 1) / (double)(maxPoints - 1));
            fpr[i] = Fpr[index];
            tpr[i] = Tpr[index];
        }

        return (fpr, tpr);
    }

    private static double CheckFinite(double score) =>
        double.IsFinite(score) ? score : throw new ArgumentException($"Score {score} is not finite.");
}
