namespace ReleaseGateway.Privacy.Accounting;

/// <summary>One charge against a zCDP budget: what was measured or selected and its rho.</summary>
/// <param name="Label">What the charge paid for, e.g. "measure age x sex (sigma = 12.3)".</param>
/// <param name="Rho">zCDP cost, &gt;= 0.</param>
public sealed record RhoCharge(string Label, double Rho);

/// <summary>
/// Tracks spending of a rho-zCDP budget under adaptive composition: the rhos of the mechanisms add
/// up (Bun and Steinke 2016, Lemma 2.3). Refuses any charge that would exceed the budget, so a
/// synthesizer cannot overspend by a rounding slip. Not thread-safe.
/// </summary>
public sealed class ZcdpAccountant
{
    private readonly List<RhoCharge> charges = [];

    /// <summary>Creates an accountant for a total budget of <paramref name="totalRho"/>.</summary>
    public ZcdpAccountant(double totalRho)
    {
        if (!(totalRho > 0) || !double.IsFinite(totalRho))
        {
            throw new ArgumentOutOfRangeException(nameof(totalRho), totalRho, "the budget rho must be positive and finite");
        }

        TotalRho = totalRho;
    }

    /// <summary>The budget.</summary>
    public double TotalRho { get; }

    /// <summary>Sum of the charges so far.</summary>
    public double SpentRho { get; private set; }

    /// <summary>Budget left.</summary>
    public double RemainingRho => Math.Max(0, TotalRho - SpentRho);

    /// <summary>All charges in order.</summary>
    public IReadOnlyList<RhoCharge> Charges => charges;

    /// <summary>Records a charge; throws when it would exceed the budget by more than a relative 1e-9 (floating-point slack).</summary>
    public void Charge(string label, double rho)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        if (!(rho >= 0) || !double.IsFinite(rho))
        {
            throw new ArgumentOutOfRangeException(nameof(rho), rho, "rho must be finite and >= 0");
        }

        if (SpentRho + rho > TotalRho * (1 + 1e-9))
        {
            throw new InvalidOperationException($"charge '{label}' of rho = {rho:G6} exceeds the remaining budget {RemainingRho:G6}");
        }

        charges.Add(new RhoCharge(label, rho));
        SpentRho += rho;
    }
}
