using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Privacy.Mechanisms;

/// <summary>
/// Differentially private quantiles inside public bounds [a, b] by the exponential mechanism over the real line
/// (Smith 2011, "Privacy-preserving statistical estimation with optimal convergence rates", STOC, Sec. 3; the "Ind Exp"
/// baseline of Gillenwater, Joseph and Kulesza 2021, "Differentially Private Quantiles", ICML, Sec. 3), used to place
/// bin edges of a numeric column whose schema declares only its bounds.
/// </summary>
/// <remarks>
/// <para>Mechanism for one quantile q: with the values clamped to [a, b] and sorted, x_0 = a &lt;= x_1 &lt;= ... &lt;= x_n
/// &lt;= x_(n+1) = b, output y in [a, b] with density proportional to exp(epsilon u(y) / (2 Delta)), where
/// u(y) = -|#{x_j &lt; y} - q n|. The utility is constant on each gap [x_i, x_(i+1)) (value -|i - q n|), so the gap is
/// chosen with weight (x_(i+1) - x_i) exp(epsilon u_i / (2 Delta)) (Gumbel-max on the log weights) and y is uniform in it.</para>
/// <para>Sensitivity: for every fixed y, adding or removing one row changes #{x_j &lt; y} by at most 1 and q n by q, in
/// opposite or equal directions, so |u(y) - u'(y)| &lt;= max(q, 1 - q) &lt;= 1 = Delta per row. When each person
/// contributes at most k rows (contribution bounding, ADR 0024) the same argument gives Delta = k per person; pass it as
/// <c>sensitivity</c>. The mechanism is epsilon-DP (McSherry and Talwar 2007, with a base measure) and, being
/// epsilon-bounded-range, epsilon^2/8-zCDP (Cesar and Rogers 2021, Lemma 3.2) — the conversion
/// <see cref="ExponentialMechanism.Rho"/> charges for every other selection. m quantiles are m independent runs, so
/// they compose to m epsilon^2 / 8; <see cref="EpsilonPerQuantile"/> splits a zCDP budget rho evenly:
/// epsilon = sqrt(8 rho / m). The private n enters only the utility, never the output.</para>
/// <para>As epsilon -&gt; 0 the output tends to the uniform distribution on [a, b]; at large epsilon it concentrates on
/// the gap holding the empirical quantile.</para>
/// </remarks>
public static class DpQuantiles
{
    /// <summary>The epsilon of each of <paramref name="count"/> quantiles that together cost exactly <paramref name="rho"/> (zCDP).</summary>
    public static double EpsilonPerQuantile(double rho, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (!(rho > 0) || !double.IsFinite(rho))
        {
            throw new ArgumentOutOfRangeException(nameof(rho), rho, "rho must be positive and finite");
        }

        return ExponentialMechanism.EpsilonForRho(rho / count);
    }

    /// <summary>zCDP cost of <paramref name="count"/> quantiles at <paramref name="epsilon"/> each: count epsilon^2 / 8.</summary>
    public static double Rho(double epsilon, int count) => count * ExponentialMechanism.Rho(epsilon);

    /// <summary>One DP quantile of <paramref name="sorted"/> inside [<paramref name="lower"/>, <paramref name="upper"/>].</summary>
    /// <param name="random">Secret random source.</param>
    /// <param name="sorted">The private values, ascending (values outside the bounds count as the nearest bound).</param>
    /// <param name="q">Quantile in [0, 1].</param>
    /// <param name="lower">Public lower bound a.</param>
    /// <param name="upper">Public upper bound b &gt; a.</param>
    /// <param name="epsilon">Privacy parameter of this quantile.</param>
    /// <param name="sensitivity">1 per row, or the largest rows per person after contribution bounding.</param>
    public static double Quantile(IRandomSource random, ReadOnlySpan<double> sorted, double q, double lower, double upper, double epsilon, double sensitivity)
    {
        ArgumentNullException.ThrowIfNull(random);
        Check(q, lower, upper, epsilon, sensitivity);
        int n = sorted.Length;
        double scale = epsilon / (2 * sensitivity);
        int best = -1;
        double bestValue = double.NegativeInfinity;
        double previous = lower;
        for (int i = 0; i <= n; i++)
        {
            double next = i < n ? Math.Clamp(sorted[i], lower, upper) : upper;
            if (next < previous)
            {
                throw new ArgumentException("values must be sorted ascending", nameof(sorted));
            }

            double width = next - previous;
            if (width > 0)
            {
                double gumbel = -Math.Log(-Math.Log(random.NextOpenDouble()));
                double value = Math.Log(width) - scale * Math.Abs(i - q * n) + gumbel;
                if (value > bestValue)
                {
                    bestValue = value;
                    best = i;
                }
            }

            previous = next;
        }

        double low = best == 0 ? lower : Math.Clamp(sorted[best - 1], lower, upper);
        double high = best == n ? upper : Math.Clamp(sorted[best], lower, upper);
        return low + (high - low) * random.NextDouble();
    }

    /// <summary>
    /// Bin edges for <paramref name="bins"/> bins: lower, the DP quantiles at 1/bins, ..., (bins-1)/bins each at
    /// <paramref name="epsilon"/>, upper; sorted, with edges that coincide dropped (post-processing), so fewer bins may
    /// come back. Costs <see cref="Rho"/>(epsilon, bins - 1).
    /// </summary>
    public static double[] BinEdges(IRandomSource random, IReadOnlyList<double> values, int bins, double lower, double upper, double epsilon, double sensitivity)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        Check(0.5, lower, upper, epsilon, sensitivity);
        double[] sorted = values.Select(v => Math.Clamp(v, lower, upper)).Order().ToArray();
        var inner = new double[bins - 1];
        for (int k = 1; k < bins; k++)
        {
            inner[k - 1] = Quantile(random, sorted, (double)k / bins, lower, upper, epsilon, sensitivity);
        }

        Array.Sort(inner);
        var edges = new List<double>(bins + 1) { lower };
        foreach (double e in inner.Append(upper))
        {
            if (e > edges[^1])
            {
                edges.Add(e);
            }
        }

        return edges.ToArray();
    }

    private static void Check(double q, double lower, double upper, double epsilon, double sensitivity)
    {
        if (!(q >= 0 && q <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(q), q, "q must be in [0, 1]");
        }

        if (!double.IsFinite(lower) || !double.IsFinite(upper) || !(upper > lower))
        {
            throw new ArgumentException("the public bounds must be finite with upper > lower");
        }

        if (!(epsilon > 0) || !double.IsFinite(epsilon))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be positive and finite");
        }

        if (!(sensitivity > 0) || !double.IsFinite(sensitivity))
        {
            throw new ArgumentOutOfRangeException(nameof(sensitivity), sensitivity, "sensitivity must be positive and finite");
        }
    }
}
