namespace ReleaseGateway.Privacy.Accounting;

/// <summary>
/// How a release's promised (ε, δ) per unit is divided: the DP release checks (gates) take a pure ε_g slice, the
/// synthesizer the rest, and with up to k rows per person the synthesizer runs at ρ/k² per row.
/// </summary>
/// <remarks>
/// <para>TotalRho = ρ(ε, δ), the largest ρ whose zCDP implies (ε, δ)-DP (<see cref="ZcdpConversion.Rho"/>, Canonne,
/// Kamath and Steinke 2020); this is what the ledger charges, unchanged from before. The gates are ε_g-DP per unit, hence
/// ε_g²/2-zCDP (Bun and Steinke 2016, Prop. 1.4); zCDP composes additively (Lemma 2.3), so the synthesizer may spend
/// TotalRho − ε_g²/2 per unit. Per row that is divided by k² (group privacy, Prop. 1.9).</para>
/// <para>When the schema leaves bin edges to DP (bounds-only numeric columns, ADR 0036) a declared share of what the
/// gates leave, <see cref="BinningRho"/>, goes to the DP quantiles that place them first; it is per unit (the quantiles'
/// sensitivity is stated per unit) and the synthesizer gets the rest.</para>
/// <para>Unit "row" (no person key) has k = 1. The gates' statistics must have their sensitivity stated per unit
/// (per person: a count changes by up to k when a person is added).</para>
/// </remarks>
public sealed class ReleaseBudgetPlan
{
    /// <summary>The unit when a person key bounds contributions.</summary>
    public const string PersonUnit = "person";

    /// <summary>The unit when every row is its own person.</summary>
    public const string RowUnit = "row";

    /// <summary>The share of ρ − ε_g²/2 that DP binning takes when a schema has bounds-only numeric columns (ADR 0036).</summary>
    public const double DefaultBinningShare = 0.1;

    private ReleaseBudgetPlan(double epsilon, double delta, double totalRho, double gateEpsilon, int maxRowsPerPerson, string unit, double binningShare)
    {
        BinningRho = binningShare * (totalRho - gateEpsilon * gateEpsilon / 2);
        Epsilon = epsilon;
        Delta = delta;
        TotalRho = totalRho;
        GateEpsilon = gateEpsilon;
        MaxRowsPerPerson = maxRowsPerPerson;
        Unit = unit;
    }

    /// <summary>The release's promised ε per unit.</summary>
    public double Epsilon { get; }

    /// <summary>The release's promised δ per unit.</summary>
    public double Delta { get; }

    /// <summary>ρ(ε, δ): the whole release's zCDP per unit, the ledger's charge.</summary>
    public double TotalRho { get; }

    /// <summary>ε_g: the pure-DP budget per unit of the release checks.</summary>
    public double GateEpsilon { get; }

    /// <summary>ε_g²/2: the gates' zCDP per unit.</summary>
    public double GateRho => GateEpsilon * GateEpsilon / 2;

    /// <summary>ρ per unit of the DP quantiles that place bin edges (0 when the schema declares every bin).</summary>
    public double BinningRho { get; }

    /// <summary>TotalRho − GateRho − BinningRho: the synthesizer's zCDP per unit.</summary>
    public double SynthesisRhoPerUnit => TotalRho - GateRho - BinningRho;

    /// <summary>SynthesisRhoPerUnit / k²: the zCDP at which the synthesizer's row-level mechanisms run.</summary>
    public double SynthesisRhoPerRow => GroupPrivacy.RhoPerRow(SynthesisRhoPerUnit, MaxRowsPerPerson);

    /// <summary>k: the most rows one person contributes after bounding (1 for the row unit).</summary>
    public int MaxRowsPerPerson { get; }

    /// <summary><see cref="PersonUnit"/> or <see cref="RowUnit"/>.</summary>
    public string Unit { get; }

    /// <summary>Plans a release.</summary>
    /// <param name="epsilon">Promised ε per unit, &gt; 0.</param>
    /// <param name="delta">Promised δ per unit, in (0, 1).</param>
    /// <param name="gateEpsilon">ε_g &gt;= 0 of the release checks (pure DP per unit).</param>
    /// <param name="maxRowsPerPerson">k &gt;= 1; must be 1 unless <paramref name="perPerson"/>.</param>
    /// <param name="perPerson">Whether the unit is a person (a person key is declared) or the row.</param>
    /// <param name="binningShare">Share in [0, 1) of ρ − ε_g²/2 for DP binning; 0 when no column needs it.</param>
    /// <exception cref="ArgumentException">When the gates' slice leaves nothing for the synthesizer.</exception>
    public static ReleaseBudgetPlan Create(double epsilon, double delta, double gateEpsilon, int maxRowsPerPerson, bool perPerson, double binningShare = 0)
    {
        if (!(binningShare >= 0 && binningShare < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(binningShare), binningShare, "the binning share must be in [0, 1)");
        }

        if (!(epsilon > 0) || !double.IsFinite(epsilon))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be positive and finite");
        }

        if (!(gateEpsilon >= 0) || !double.IsFinite(gateEpsilon))
        {
            throw new ArgumentOutOfRangeException(nameof(gateEpsilon), gateEpsilon, "the release checks' epsilon must be finite and >= 0");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxRowsPerPerson, 1);
        if (!perPerson && maxRowsPerPerson != 1)
        {
            throw new ArgumentException("without a person key the unit is the row and at most 1 row per unit", nameof(maxRowsPerPerson));
        }

        double totalRho = ZcdpConversion.Rho(epsilon, delta);
        var plan = new ReleaseBudgetPlan(epsilon, delta, totalRho, gateEpsilon, maxRowsPerPerson, perPerson ? PersonUnit : RowUnit, binningShare);
        if (!LeavesRoomForSynthesis(epsilon, delta, gateEpsilon))
        {
            throw new ArgumentException(
                $"the release checks' epsilon {gateEpsilon:G4} costs rho = {plan.GateRho:G4}, which leaves nothing of the release's " +
                $"rho = {totalRho:G4} (epsilon = {epsilon:G4}, delta = {delta:G2}) for synthesis; lower releaseChecks.epsilon or raise the release's epsilon",
                nameof(gateEpsilon));
        }

        return plan;
    }

    /// <summary>Whether the release checks' ε_g²/2 leaves a positive ρ(ε, δ) − ε_g²/2 for the synthesizer.</summary>
    public static bool LeavesRoomForSynthesis(double epsilon, double delta, double gateEpsilon) =>
        ZcdpConversion.Rho(epsilon, delta) - gateEpsilon * gateEpsilon / 2 > 0;
}
