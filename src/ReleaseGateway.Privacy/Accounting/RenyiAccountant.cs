namespace ReleaseGateway.Privacy.Accounting;

/// <summary>One mechanism composed into a <see cref="RenyiAccountant"/>.</summary>
/// <param name="Label">What it paid for, e.g. "DP-SGD: 1200 steps, q = 0.01, sigma = 1.1".</param>
/// <param name="Rdp">Its Rényi DP epsilon(alpha) at each order of the accountant's grid (nats).</param>
public sealed record RdpCharge(string Label, IReadOnlyList<double> Rdp);

/// <summary>
/// Composes mechanisms in Rényi differential privacy (Mironov 2017) over a fixed grid of orders:
/// under adaptive composition the epsilon(alpha) curves add up (Mironov 2017, Proposition 1).
/// Poisson-subsampled Gaussian steps (DP-SGD) and zCDP mechanisms compose in the same ledger,
/// because rho-zCDP is exactly Rényi DP with epsilon(alpha) = rho alpha for every alpha &gt; 1
/// (Bun and Steinke 2016, Definition 1.1). Converts to (epsilon, delta)-DP with the improved bound
/// of Canonne, Kamath and Steinke 2020 (arXiv:2004.00010, Proposition 12; also Asoodeh et al. 2020),
/// the conversion Opacus' <c>get_privacy_spent</c> and TensorFlow Privacy's RDP accountant use.
/// </summary>
/// <remarks>
/// Guarantees are for add/remove-one-record neighbours. Every order of the grid gives a valid
/// bound, so a coarse grid only costs tightness, never validity. Not thread-safe.
/// </remarks>
public sealed class RenyiAccountant
{
    private readonly double[] orders;
    private readonly double[] total;
    private readonly List<RdpCharge> charges = [];

    /// <summary>Creates an empty accountant over <paramref name="orders"/> (default <see cref="SubsampledGaussianRdp.DefaultOrders"/>); every order must be &gt; 1.</summary>
    public RenyiAccountant(IReadOnlyList<double>? orders = null)
    {
        this.orders = (orders ?? SubsampledGaussianRdp.DefaultOrders).ToArray();
        if (this.orders.Length == 0 || this.orders.Any(a => !(a > 1)))
        {
            throw new ArgumentOutOfRangeException(nameof(orders), "orders must be a non-empty list of values > 1");
        }

        total = new double[this.orders.Length];
    }

    /// <summary>The grid of Rényi orders.</summary>
    public IReadOnlyList<double> Orders => orders;

    /// <summary>The composed epsilon(alpha) at each order (nats).</summary>
    public IReadOnlyList<double> TotalRdp => total;

    /// <summary>Everything composed so far, in order.</summary>
    public IReadOnlyList<RdpCharge> Charges => charges;

    /// <summary>Composes <paramref name="steps"/> Poisson-subsampled Gaussian steps (DP-SGD with noise multiplier sigma and sampling rate q).</summary>
    public void ComposeSubsampledGaussian(string label, double samplingRate, double noiseMultiplier, long steps) =>
        Compose(label, SubsampledGaussianRdp.Rdp(samplingRate, noiseMultiplier, steps, orders));

    /// <summary>Composes a rho-zCDP mechanism (epsilon(alpha) = rho alpha), e.g. a discrete Gaussian measurement or the total of a <see cref="ZcdpAccountant"/>.</summary>
    public void ComposeZcdp(string label, double rho)
    {
        if (!(rho >= 0) || !double.IsFinite(rho))
        {
            throw new ArgumentOutOfRangeException(nameof(rho), rho, "rho must be finite and >= 0");
        }

        Compose(label, orders.Select(a => rho * a).ToArray());
    }

    /// <summary>Composes an arbitrary Rényi DP curve given at this accountant's orders.</summary>
    public void Compose(string label, IReadOnlyList<double> rdp)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        ArgumentNullException.ThrowIfNull(rdp);
        if (rdp.Count != orders.Length || rdp.Any(r => !(r >= 0)))
        {
            throw new ArgumentException($"the curve needs {orders.Length} values >= 0 (one per order)", nameof(rdp));
        }

        charges.Add(new RdpCharge(label, rdp.ToArray()));
        for (int i = 0; i < total.Length; i++)
        {
            total[i] += rdp[i];
        }
    }

    /// <summary>Smallest epsilon (and the order attaining it) such that the composition is (epsilon, delta)-DP, by the improved conversion.</summary>
    public (double Epsilon, double Order) Epsilon(double delta) => ImprovedEpsilon(orders, total, delta);

    /// <summary>Smallest delta such that the composition is (epsilon, delta)-DP, by the improved conversion.</summary>
    public double Delta(double epsilon) => ImprovedDelta(orders, total, epsilon);

    /// <summary>
    /// Improved RDP to (epsilon, delta) conversion (Canonne, Kamath, Steinke 2020, Proposition 12):
    /// epsilon = min over alpha of rdp(alpha) + log(1 - 1/alpha) - (log delta + log alpha) / (alpha - 1),
    /// and epsilon = 0 when delta &gt;= sqrt(1 - exp(-rdp(alpha))) (total variation bounded through KL,
    /// which is at most rdp(alpha)). Orders at or below 1.01 are skipped (numerically unstable, never optimal).
    /// </summary>
    public static (double Epsilon, double Order) ImprovedEpsilon(IReadOnlyList<double> orders, IReadOnlyList<double> rdp, double delta)
    {
        CheckCurve(orders, rdp);
        CheckDelta(delta);
        double best = double.PositiveInfinity, bestOrder = double.NaN;
        for (int i = 0; i < orders.Count; i++)
        {
            double a = orders[i], r = rdp[i];
            double epsilon = delta * delta + RdpNumerics.ExpM1(-r) > 0 ? 0
                : a > 1.01 ? r + RdpNumerics.Log1P(-1 / a) - (Math.Log(delta) + Math.Log(a)) / (a - 1)
                : double.PositiveInfinity;
            if (epsilon < best)
            {
                best = epsilon;
                bestOrder = a;
            }
        }

        return (Math.Max(0, best), bestOrder);
    }

    /// <summary>Improved conversion in the other direction: delta = min over alpha of exp((alpha - 1)(rdp - epsilon + log(1 - 1/alpha)) - log alpha), capped at 1.</summary>
    public static double ImprovedDelta(IReadOnlyList<double> orders, IReadOnlyList<double> rdp, double epsilon)
    {
        CheckCurve(orders, rdp);
        if (!(epsilon >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be >= 0");
        }

        double logDelta = 0;
        for (int i = 0; i < orders.Count; i++)
        {
            double a = orders[i], r = rdp[i];
            double viaKl = r == 0 ? double.NegativeInfinity : 0.5 * Math.Log(-RdpNumerics.ExpM1(-r));
            double viaRdp = a > 1.01 ? (a - 1) * (r - epsilon + RdpNumerics.Log1P(-1 / a)) - Math.Log(a) : double.PositiveInfinity;
            logDelta = Math.Min(logDelta, Math.Min(viaKl, viaRdp));
        }

        return Math.Min(1, Math.Exp(logDelta));
    }

    /// <summary>
    /// The classic conversion epsilon = min over alpha of rdp(alpha) + log(1/delta) / (alpha - 1)
    /// (Mironov 2017, Proposition 3). Looser than <see cref="ImprovedEpsilon"/>; kept to check
    /// figures published with it (e.g. early TensorFlow Privacy examples).
    /// </summary>
    public static (double Epsilon, double Order) ClassicEpsilon(IReadOnlyList<double> orders, IReadOnlyList<double> rdp, double delta)
    {
        CheckCurve(orders, rdp);
        CheckDelta(delta);
        double best = double.PositiveInfinity, bestOrder = double.NaN;
        for (int i = 0; i < orders.Count; i++)
        {
            double epsilon = rdp[i] - Math.Log(delta) / (orders[i] - 1);
            if (epsilon < best)
            {
                best = epsilon;
                bestOrder = orders[i];
            }
        }

        return (best, bestOrder);
    }

    /// <summary>
    /// The smallest noise multiplier sigma (to a relative 1e-6, rounded up) such that
    /// <paramref name="steps"/> Poisson-subsampled Gaussian steps at rate <paramref name="samplingRate"/>,
    /// composed after <paramref name="priorRdp"/> (optional, at the same orders), are
    /// (<paramref name="epsilon"/>, <paramref name="delta"/>)-DP by the improved conversion.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The target cannot be met with sigma &lt;= 1e6 (or the prior already exceeds it).</exception>
    public static double CalibrateNoiseMultiplier(double epsilon, double delta, double samplingRate, long steps, IReadOnlyList<double>? orders = null, IReadOnlyList<double>? priorRdp = null)
    {
        if (!(epsilon > 0) || !double.IsFinite(epsilon))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be positive and finite");
        }

        CheckDelta(delta);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        IReadOnlyList<double> grid = orders ?? SubsampledGaussianRdp.DefaultOrders;
        double EpsilonAt(double sigma)
        {
            double[] rdp = SubsampledGaussianRdp.Rdp(samplingRate, sigma, steps, grid);
            if (priorRdp is not null)
            {
                for (int i = 0; i < rdp.Length; i++)
                {
                    rdp[i] += priorRdp[i];
                }
            }

            return ImprovedEpsilon(grid, rdp, delta).Epsilon;
        }

        double low = 1e-3, high = 1;
        while (EpsilonAt(high) > epsilon)
        {
            low = high;
            high *= 2;
            if (high > 1e6)
            {
                throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "the target epsilon cannot be reached (budget too small for this many steps)");
            }
        }

        // epsilon(sigma) decreases in sigma; keep the invariant epsilon(high) <= target.
        while (high - low > 1e-6 * high)
        {
            double mid = (low + high) / 2;
            if (EpsilonAt(mid) > epsilon)
            {
                low = mid;
            }
            else
            {
                high = mid;
            }
        }

        return high;
    }

    private static void CheckCurve(IReadOnlyList<double> orders, IReadOnlyList<double> rdp)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(rdp);
        if (orders.Count != rdp.Count || orders.Count == 0)
        {
            throw new ArgumentException("orders and rdp must be non-empty and of the same length");
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
