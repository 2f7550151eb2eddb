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
public sealed record GateResult(string Name, double? Value, double Threshold, string Comparison, GateStatus Status, string Detail)
{
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
