using ReleaseGateway.Privacy.Mechanisms;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Synthesis.Data;

namespace ReleaseGateway.Releases.Checks;

/// <summary>What the DP copy test decided, and (inside the boundary only) the exact counts it tested.</summary>
/// <param name="Passed">The published bit: false when the noisy statistic reached the noisy threshold (ε-DP).</param>
/// <param name="Statistic">a·C_train − b·C_holdout, exact (a real-data value: committee, compliance and stewards only).</param>
/// <param name="TrainCopies">C_train: training rows with an exact copy in the synthetic table (inside only).</param>
/// <param name="HoldoutCopies">C_holdout: holdout rows with an exact copy (inside only).</param>
/// <param name="Threshold">T, public: from the policy, else calibrated to <see cref="CopyTest.ChanceBlockRate"/>.</param>
/// <param name="Sensitivity">Δ = k·max(a, b) per unit.</param>
/// <param name="Epsilon">ε_g spent (pure DP per unit).</param>
public sealed record CopyTestOutcome(bool Passed, long Statistic, long TrainCopies, long HoldoutCopies, long Threshold, long Sensitivity, double Epsilon);

/// <summary>
/// The DP release check that decides publication (ADR 0026): does the synthetic table copy its training rows more often
/// than it "copies" rows it never saw? Tested with AboveThreshold (<see cref="NoisyThreshold"/>, Dwork &amp; Roth 2014 §3.6)
/// at the plan's ε_g, so the publish/block bit is ε_g-DP per unit and charged with the release.
/// </summary>
/// <remarks>
/// <para><b>Statistic.</b> With the holdout fraction h = p/q in lowest terms (public policy constant), a = p and b = q − p,
/// and S the synthetic table (fixed: it is already a DP output), f(D) = a·C_train − b·C_holdout, where C_train (C_holdout)
/// counts training (holdout) rows whose coded tuple occurs exactly in S. If S does not depend on the training rows more
/// than on the unseen ones, E[C_train] : E[C_holdout] = (1 − h) : h and f ≈ 0; a generator that memorises pushes f up.</para>
/// <para><b>Sensitivity.</b> Neighbouring tables differ in one unit (a person with at most k rows after bounding, or one
/// row). Conditioned on S and on every other unit's secret split coin, the added unit's rows fall all in training or all
/// in holdout (the split keeps a person whole); each row changes C_train or C_holdout by at most 1, and no other row's
/// copy status changes (it depends only on S). So |f(D) − f(D′)| ≤ k·max(a, b) = Δ. For h = 0.2: a = 1, b = 4, Δ = 4k.</para>
/// <para><b>Composition.</b> (S, bit) is an adaptive composition: S is ρ_s-zCDP, and for every fixed S and split the
/// bit is ε_g-DP, hence ε_g²/2-zCDP (Bun &amp; Steinke 2016, Prop. 1.4); zCDP composes adaptively (Lemma 2.3), and
/// mixing over the data-independent coins keeps the bound (quasi-convexity of Rényi divergence). Regenerating after a block
/// is post-processing of charged quantities: each attempt is charged in full.</para>
/// <para><b>Threshold.</b> AboveThreshold compares f + ν (ν ~ DLap(4Δ/ε)) with T + ρ̂ (ρ̂ ~ DLap(2Δ/ε)). When f ≤ 0 a block
/// needs ν − ρ̂ ≥ T, which happens with probability at most 2·exp(−T/(4·2Δ/ε)); the default T = ⌈8Δ/ε · ln(2/β)⌉ keeps
/// that chance block rate below β = <see cref="ChanceBlockRate"/>. At ε_g = 0.05 and Δ = 4 that is T ≈ 2,361: the test
/// only catches wholesale memorisation of a few thousand rows. That is the honest price of a small ε_g; the committee sees
/// the finer, non-DP attacks inside the boundary (docs/privacy.md).</para>
/// </remarks>
public static class CopyTest
{
    /// <summary>β: the largest chance of blocking a release whose statistic is at most 0, under the default threshold.</summary>
    public const double ChanceBlockRate = 0.05;

    /// <summary>The largest denominator of the holdout fraction (it is a policy constant such as 0.2 = 1/5).</summary>
    private const int MaxDenominator = 1000;

    /// <summary>Weights (a, b) from the public holdout fraction h = a / (a + b).</summary>
    public static (long Train, long Holdout) Weights(double holdoutFraction)
    {
        if (!(holdoutFraction > 0 && holdoutFraction < 1)) throw new ArgumentOutOfRangeException(nameof(holdoutFraction), holdoutFraction, "must be in (0, 1)");
        long p = (long)Math.Round(holdoutFraction * MaxDenominator), q = MaxDenominator;
        var g = Gcd(p, q);
        p /= g;
        q /= g;
        return (p, q - p);
    }

    /// <summary>Δ = k·max(a, b): the statistic's L1 sensitivity per unit.</summary>
    public static long Sensitivity(double holdoutFraction, int maxRowsPerUnit)
    {
        var (a, b) = Weights(holdoutFraction);
        return maxRowsPerUnit * Math.Max(a, b);
    }

    /// <summary>The default threshold T for Δ and ε_g (see remarks): chance block rate at most <see cref="ChanceBlockRate"/>.</summary>
    public static long DefaultThreshold(long sensitivity, double epsilon) =>
        (long)Math.Ceiling(4 * NoisyThreshold.Scales(sensitivity, epsilon).ThresholdScale * Math.Log(2 / ChanceBlockRate));

    /// <summary>Runs the test on the (bounded) training and holdout rows against the synthetic table, with secret noise.</summary>
    public static CopyTestOutcome Run(EncodedTable train, EncodedTable holdout, EncodedTable synthetic, double holdoutFraction, int maxRowsPerUnit,
        double epsilon, long? threshold, IRandomSource random)
    {
        if (!train.ColumnNames.SequenceEqual(synthetic.ColumnNames) || !holdout.ColumnNames.SequenceEqual(synthetic.ColumnNames))
            throw new ArgumentException("the training, holdout and synthetic tables must have the same columns in the same order");
        var copies = Tuples(synthetic);
        long trainCopies = Count(train, copies), holdoutCopies = Count(holdout, copies);
        var (a, b) = Weights(holdoutFraction);
        var statistic = a * trainCopies - b * holdoutCopies;
        var sensitivity = Sensitivity(holdoutFraction, maxRowsPerUnit);
        var t = threshold ?? DefaultThreshold(sensitivity, epsilon);
        var above = NoisyThreshold.IsAbove(random, statistic, t, sensitivity, epsilon);
        return new CopyTestOutcome(!above, statistic, trainCopies, holdoutCopies, t, sensitivity, epsilon);
    }

    private static HashSet<string> Tuples(EncodedTable table)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < table.RowCount; i++) set.Add(Key(table, i));
        return set;
    }

    private static long Count(EncodedTable table, HashSet<string> copies)
    {
        long n = 0;
        for (var i = 0; i < table.RowCount; i++)
            if (copies.Contains(Key(table, i))) n++;
        return n;
    }

    private static string Key(EncodedTable table, int row) =>
        string.Join(',', Enumerable.Range(0, table.ColumnCount).Select(j => table.Column(j)[row]));

    private static long Gcd(long x, long y) => y == 0 ? x : Gcd(y, x % y);
}
