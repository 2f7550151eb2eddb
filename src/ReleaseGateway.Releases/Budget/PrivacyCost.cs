using ReleaseGateway.Privacy.Accounting;

namespace ReleaseGateway.Releases.Budget;

/// <summary>
/// What one release costs, in a form that composes across mechanisms: a rho-zCDP part (graphical-model
/// synthesizers) plus, for DP-SGD generators, a Rényi DP curve on <see cref="SubsampledGaussianRdp.DefaultOrders"/>.
/// Costs add up under composition; the ledger converts the sum to (epsilon, delta) only for display and
/// for the cap check, never before adding (ADR 0003).
/// </summary>
/// <param name="Rho">zCDP cost, &gt;= 0.</param>
/// <param name="Rdp">Rényi epsilon(alpha) at each default order (nats), or null when the cost is pure zCDP.</param>
public sealed record PrivacyCost(double Rho, IReadOnlyList<double>? Rdp = null)
{
    public static PrivacyCost Zero { get; } = new(0);

    /// <summary>The zCDP cost of a release promised as (<paramref name="epsilon"/>, <paramref name="delta"/>)-DP, by the tight conversion.</summary>
    public static PrivacyCost ForZcdpRelease(double epsilon, double delta) => new(ZcdpConversion.Rho(epsilon, delta));

    public PrivacyCost Add(PrivacyCost other)
    {
        if (Rdp is null && other.Rdp is null) return new PrivacyCost(Rho + other.Rho);
        var orders = SubsampledGaussianRdp.DefaultOrders.Count;
        var a = Rdp ?? new double[orders];
        var b = other.Rdp ?? new double[orders];
        if (a.Count != orders || b.Count != orders)
            throw new ArgumentException($"a Rényi curve needs one value per default order ({orders}).");
        return new PrivacyCost(Rho + other.Rho, a.Zip(b, (x, y) => x + y).ToArray());
    }

    /// <summary>
    /// A cost at least as large as both, order by order: the larger rho when both are pure zCDP, else the pointwise
    /// maximum of the two Rényi curves (rho-zCDP is epsilon(alpha) = rho * alpha), which bounds each mechanism's curve.
    /// </summary>
    public PrivacyCost UpperBound(PrivacyCost other)
    {
        if (Rdp is null && other.Rdp is null) return new PrivacyCost(Math.Max(Rho, other.Rho));
        var orders = SubsampledGaussianRdp.DefaultOrders;
        double Curve(PrivacyCost c, int i) => c.Rho * orders[i] + (c.Rdp?[i] ?? 0);
        return new PrivacyCost(0, orders.Select((_, i) => Math.Max(Curve(this, i), Curve(other, i))).ToArray());
    }

    /// <summary>The smallest epsilon for which this (composed) cost is (epsilon, delta)-DP.</summary>
    public double EpsilonAt(double delta)
    {
        if (Rdp is null) return Rho == 0 ? 0 : ZcdpConversion.Epsilon(Rho, delta);
        var accountant = new RenyiAccountant();
        accountant.ComposeZcdp("zCDP part", Rho);
        accountant.Compose("Rényi part", Rdp);
        return accountant.Epsilon(delta).Epsilon;
    }
}
