namespace ReleaseGateway.Evaluation.Statistics;

/// <summary>
/// Anonymeter's residual risk (Giomi et al. 2023, PoPETs, §4): how much better an attack does on
/// training records than on control (holdout) records, relative to the room for improvement,
/// risk = (r_train − r_control)/(1 − r_control), with Wilson-score rates and the error propagated
/// to first order; value and interval are clipped to [0, 1].
/// </summary>
/// <param name="Value">Point estimate in [0, 1].</param>
/// <param name="Lower">Lower end of the confidence interval.</param>
/// <param name="Upper">Upper end of the confidence interval.</param>
/// <param name="Attacks">Attacks on training records.</param>
/// <param name="Successes">Successful attacks on training records.</param>
/// <param name="ControlAttacks">Attacks on control records.</param>
/// <param name="ControlSuccesses">Successful attacks on control records (may be size-corrected, hence fractional).</param>
/// <param name="BaselineSuccesses">Successes of the naive (random-guess) attacker on training records.</param>
/// <param name="AttackRate">Wilson rate on training records.</param>
/// <param name="ControlRate">Wilson rate on control records.</param>
/// <param name="BaselineRate">Wilson rate of the naive attacker.</param>
/// <param name="ControlStandardError">Standard error of an estimated (size-corrected) control count, added in quadrature
/// to the control rate's Wilson error; 0 when the control count was observed.</param>
public sealed record PrivacyRisk(
    double Value,
    double Lower,
    double Upper,
    int Attacks,
    int Successes,
    int ControlAttacks,
    double ControlSuccesses,
    int BaselineSuccesses,
    double AttackRate,
    double ControlRate,
    double BaselineRate,
    double ControlStandardError = 0)
{
    /// <summary>
    /// Lower end of the interval at another confidence level, e.g. 1 − 0.05/k when k risks are compared at once
    /// (Bonferroni), recomputed from the counts.
    /// </summary>
    public double LowerBound(double confidence) =>
        FromCounts(Attacks, Successes, ControlAttacks, ControlSuccesses, BaselineSuccesses, confidence, ControlStandardError).Lower;

    /// <summary>
    /// Computes the residual risk from attack counts at the given confidence level (0.95 in Anonymeter);
    /// <paramref name="controlStandardError"/> is the standard error of an estimated control count.
    /// </summary>
    public static PrivacyRisk FromCounts(
        int attacks,
        int successes,
        int controlAttacks,
        double controlSuccesses,
        int baselineSuccesses,
        double confidence = 0.95,
        double controlStandardError = 0)
    {
        var (rate, rateError) = BinomialConfidence.Wilson(successes, attacks, confidence);
        var (control, wilsonError) = BinomialConfidence.Wilson(controlSuccesses, controlAttacks, confidence);
        var z = MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, 1 - ((1 - confidence) / 2));
        var controlError = Math.Sqrt((wilsonError * wilsonError) + Math.Pow(z * controlStandardError / controlAttacks, 2));
        var (baseline, _) = BinomialConfidence.Wilson(baselineSuccesses, attacks, confidence);

        // Wilson rates never reach 1, so the normalisation below is always defined.
        var residual = (rate - control) / (1 - control);
        var dAttack = 1 / Math.Abs(1 - control);
        var dControl = (rate - 1) / ((1 - control) * (1 - control));
        var error = Math.Sqrt(Math.Pow(rateError * dAttack, 2) + Math.Pow(controlError * dControl, 2));
        return new PrivacyRisk(
            Math.Clamp(residual, 0, 1),
            Math.Clamp(residual - error, 0, 1),
            Math.Clamp(residual + error, 0, 1),
            attacks,
            successes,
            controlAttacks,
            controlSuccesses,
            baselineSuccesses,
            rate,
            control,
            baseline,
            controlStandardError);
    }
}
