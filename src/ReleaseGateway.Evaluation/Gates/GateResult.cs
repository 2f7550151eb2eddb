namespace ReleaseGateway.Evaluation.Gates;

/// <summary>Outcome of one gate.</summary>
public enum GateStatus
{
    /// <summary>The measured value is within the threshold.</summary>
    Pass,

    /// <summary>The value breaches the threshold, or the evaluator behind the gate failed or timed out.</summary>
    Fail,

    /// <summary>The gate does not apply (only the empirical-ε gate, when the release claims no ε).</summary>
    NotApplicable,
}

/// <summary>The one rule of what a gate's status means for a release.</summary>
public static class GateStatusRules
{
    /// <summary>
    /// Whether the gate stops the release: only a failed gate does (a breach, or an evaluator that failed closed);
    /// a gate that does not apply never blocks.
    /// </summary>
    public static bool IsBlocking(this GateStatus status) => status == GateStatus.Fail;
}

/// <summary>One row of the gate table.</summary>
/// <param name="Name">Stable gate name (the policy key).</param>
/// <param name="Value">Measured value; null when the evaluator failed.</param>
/// <param name="Threshold">Threshold from the policy.</param>
/// <param name="Comparison">"≤" or "≥": how the value must relate to the threshold.</param>
/// <param name="Status">Pass, fail or not applicable.</param>
/// <param name="Detail">Which measurement the value is, or why the gate failed closed.</param>
/// <param name="Estimate">The point estimate behind the value where the two differ (a risk gated only when significant,
/// a TPR gated on its lower bound); null when the value is the estimate.</param>
/// <param name="Lower">Lower end of the estimate's 95 % interval, when it has one.</param>
/// <param name="Upper">Upper end of the estimate's 95 % interval, when it has one.</param>
public sealed record GateResult(string Name, double? Value, double Threshold, string Comparison, GateStatus Status, string Detail,
    double? Estimate = null, double? Lower = null, double? Upper = null)
{
    /// <summary>The gate judged by its definition: <paramref name="value"/> against <paramref name="threshold"/>.</summary>
    public static GateResult Judge(GateDefinition gate, double value, double threshold, string detail, (double Estimate, double Lower, double Upper)? interval = null)
    {
        ArgumentNullException.ThrowIfNull(gate);
        return new(gate.Key, value, threshold, gate.Symbol, gate.Passes(value, threshold) ? GateStatus.Pass : GateStatus.Fail, detail,
            interval?.Estimate, interval?.Lower, interval?.Upper);
    }

    /// <summary>The gate failed closed: its evaluator produced no value.</summary>
    public static GateResult FailedClosed(GateDefinition gate, double threshold, string reason)
    {
        ArgumentNullException.ThrowIfNull(gate);
        return new(gate.Key, null, threshold, gate.Symbol, GateStatus.Fail, reason);
    }

    /// <summary>
    /// The value, its interval and the decision rule in one sentence for people, e.g. "0 (risk 0.04, 95 % interval
    /// 0.000–0.930, not significant); passes when the value is at most 0.3; not DP, …".
    /// </summary>
    public string Evidence()
    {
        var value = Value is { } v ? v.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) : "no value (failed closed)";
        var interval = Estimate is { } e
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" (estimate {e:0.###}{(Lower is { } l && Upper is { } u ? $", 95 % interval {l:0.###}–{u:0.###}" : string.Empty)})")
            : Lower is { } lo && Upper is { } up ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" (95 % interval {lo:0.###}–{up:0.###})") : string.Empty;
        var rule = GateCatalog.Find(Name)?.Rule(Threshold) ?? $"passes when the value is {Comparison} {Threshold.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}";
        return $"{value}{interval}; {rule}";
    }

    /// <summary>Gate that passes when <paramref name="value"/> ≤ <paramref name="threshold"/>.</summary>
    public static GateResult AtMost(string name, double value, double threshold, string detail) =>
        new(name, value, threshold, "≤", value <= threshold ? GateStatus.Pass : GateStatus.Fail, detail);

    /// <summary>Gate that passes when <paramref name="value"/> ≥ <paramref name="threshold"/>.</summary>
    public static GateResult AtLeast(string name, double value, double threshold, string detail) =>
        new(name, value, threshold, "≥", value >= threshold ? GateStatus.Pass : GateStatus.Fail, detail);

    /// <summary>Gate that fails closed because its evaluator produced no value.</summary>
    public static GateResult FailedClosed(string name, double threshold, string comparison, string reason) =>
        new(name, null, threshold, comparison, GateStatus.Fail, reason);
}
