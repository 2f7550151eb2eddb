namespace ReleaseGateway.Privacy.Accounting;

/// <summary>
/// Conversions between rho-zCDP (Bun and Steinke 2016) and (epsilon, delta)-DP using the tight
/// bound of Canonne, Kamath and Steinke 2020 (arXiv:2004.00010, Proposition 12 / Corollary 13), the
/// same bound as the <c>cdp_delta</c>/<c>cdp_eps</c>/<c>cdp_rho</c> functions of private-pgm:
/// delta(rho, epsilon) = min over alpha &gt; 1 of
/// exp((alpha - 1)(alpha rho - epsilon)) / (alpha - 1) * (1 - 1/alpha)^alpha.
/// </summary>
/// <remarks>
/// Every alpha &gt; 1 gives a valid delta, so an inexact minimisation only errs on the safe side; the
/// inverses are computed by bisection that always returns the conservative end of the bracket
/// (<see cref="Rho"/> never returns a rho whose delta exceeds the target). Each bisection stops once its
/// bracket is two adjacent doubles (about 60 steps instead of 200), which returns exactly what the remaining
/// steps would have: the budget ledger converts on every page that shows it.
/// </remarks>
public static class ZcdpConversion
{
    /// <summary>The default delta of the project: 1e-9 (far below 1/n for any plausible n).</summary>
    public const double DefaultDelta = 1e-9;

    /// <summary>Smallest delta such that rho-zCDP implies (epsilon, delta)-DP.</summary>
    /// <param name="rho">zCDP parameter, &gt;= 0.</param>
    /// <param name="epsilon">DP epsilon, &gt;= 0.</param>
    public static double Delta(double rho, double epsilon)
    {
        CheckNonNegative(rho, nameof(rho));
        CheckNonNegative(epsilon, nameof(epsilon));
        if (rho == 0)
        {
            return 0;
        }

        // d/dalpha of the log bound is (2 alpha - 1) rho - epsilon + log(1 - 1/alpha), increasing in
        // alpha; bisect for its root. alpha >= 1.01 avoids cancellation near 1 (only relevant when
        // epsilon <= rho, where delta is large anyway).
        double low = 1.01, high = (epsilon + 1) / (2 * rho) + 2;
        double alpha = (low + high) / 2;
        for (int i = 0; i < 200; i++)
        {
            alpha = (low + high) / 2;
            if (alpha == low || alpha == high)
            {
                break; // the bracket is two adjacent doubles: every further step would return this alpha again
            }

            double derivative = (2 * alpha - 1) * rho - epsilon + Math.Log(1 - 1 / alpha);
            if (derivative < 0)
            {
                low = alpha;
            }
            else
            {
                high = alpha;
            }
        }

        double delta = Math.Exp((alpha - 1) * (alpha * rho - epsilon) + alpha * Math.Log(1 - 1 / alpha)) / (alpha - 1);
        return Math.Min(delta, 1.0);
    }

    /// <summary>Smallest epsilon such that rho-zCDP implies (epsilon, delta)-DP (within 1e-12 relative, rounded up).</summary>
    /// <param name="rho">zCDP parameter, &gt;= 0.</param>
    /// <param name="delta">Target delta in (0, 1).</param>
    public static double Epsilon(double rho, double delta)
    {
        CheckNonNegative(rho, nameof(rho));
        CheckDelta(delta);
        if (rho == 0)
        {
            return 0;
        }

        // The classical bound epsilon = rho + 2 sqrt(rho log(1/delta)) (Bun and Steinke 2016, Prop. 1.3) brackets the answer.
        double low = 0, high = rho + 2 * Math.Sqrt(rho * Math.Log(1 / delta));
        for (int i = 0; i < 200; i++)
        {
            double mid = (low + high) / 2;
            if (mid == low || mid == high)
            {
                break; // converged to adjacent doubles: further steps leave the bracket as it is
            }

            if (Delta(rho, mid) <= delta)
            {
                high = mid;
            }
            else
            {
                low = mid;
            }
        }

        return high;
    }

    /// <summary>Largest rho such that rho-zCDP implies (epsilon, delta)-DP (rounded down): the budget of a release.</summary>
    /// <param name="epsilon">DP epsilon, &gt; 0.</param>
    /// <param name="delta">DP delta in (0, 1).</param>
    public static double Rho(double epsilon, double delta)
    {
        CheckNonNegative(epsilon, nameof(epsilon));
        CheckDelta(delta);
        double low = 0, high = epsilon + 1;
        for (int i = 0; i < 200; i++)
        {
            double mid = (low + high) / 2;
            if (mid == low || mid == high)
            {
                break; // converged to adjacent doubles: further steps leave the bracket as it is
            }

            if (Delta(mid, epsilon) <= delta)
            {
                low = mid;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    private static void CheckNonNegative(double value, string name)
    {
        if (!(value >= 0) || !double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and >= 0");
        }
    }

    private static void CheckDelta(double delta)
    {
        if (!(delta > 0 && delta < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "delta must be in (0, 1)");
        }
    }
}
