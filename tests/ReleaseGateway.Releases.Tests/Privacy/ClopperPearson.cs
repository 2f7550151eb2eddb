namespace ReleaseGateway.Releases.Tests.Privacy;

/// <summary>
/// One-sided Clopper–Pearson bounds on a binomial proportion (exact: inverted binomial tails, found by bisection) and the
/// empirical ε lower bound of a neighbouring-dataset audit built from them (Jagielski, Ullman &amp; Oprea, NeurIPS 2020).
/// </summary>
public static class ClopperPearson
{
    /// <summary>p such that P(X ≥ k | n, p) = α: with confidence 1 − α the true rate is at least this.</summary>
    public static double Lower(int k, int n, double alpha) => k == 0 ? 0 : Bisect(p => UpperTail(k, n, p) - alpha);

    /// <summary>p such that P(X ≤ k | n, p) = α: with confidence 1 − α the true rate is at most this.</summary>
    public static double Upper(int k, int n, double alpha) => k == n ? 1 : Bisect(p => alpha - LowerTail(k, n, p));

    /// <summary>
    /// The ε an (ε, 0)-DP mechanism must at least have if an event of its output occurred <paramref name="hitsA"/> times in
    /// <paramref name="n"/> runs on one table and <paramref name="hitsB"/> times in <paramref name="n"/> runs on its neighbour:
    /// ln(lower bound of one rate / upper bound of the other), in whichever direction (or for the complement) is largest.
    /// Each bound holds with confidence 1 − α.
    /// </summary>
    public static double EpsilonLowerBound(int hitsA, int hitsB, int n, double alpha)
    {
        double Bound(int a, int b)
        {
            var low = Lower(a, n, alpha);
            return low <= 0 ? 0 : Math.Log(low / Upper(b, n, alpha));
        }
        return new[] { 0, Bound(hitsA, hitsB), Bound(hitsB, hitsA), Bound(n - hitsA, n - hitsB), Bound(n - hitsB, n - hitsA) }.Max();
    }

    private static double LowerTail(int k, int n, double p) => Enumerable.Range(0, k + 1).Sum(i => Pmf(i, n, p));

    private static double UpperTail(int k, int n, double p) => Enumerable.Range(k, n - k + 1).Sum(i => Pmf(i, n, p));

    private static double Pmf(int i, int n, double p)
    {
        if (p <= 0) return i == 0 ? 1 : 0;
        if (p >= 1) return i == n ? 1 : 0;
        return Math.Exp(LogChoose(n, i) + i * Math.Log(p) + (n - i) * Math.Log(1 - p));
    }

    private static double LogChoose(int n, int k) => LogFactorial(n) - LogFactorial(k) - LogFactorial(n - k);

    private static double LogFactorial(int n) => Enumerable.Range(2, Math.Max(0, n - 1)).Sum(i => Math.Log(i));

    /// <summary>Root of an increasing function on [0, 1].</summary>
    private static double Bisect(Func<double, double> increasing)
    {
        double lo = 0, hi = 1;
        for (var i = 0; i < 60; i++)
        {
            var mid = (lo + hi) / 2;
            if (increasing(mid) < 0) lo = mid;
            else hi = mid;
        }
        return (lo + hi) / 2;
    }
}
