using System.Globalization;

namespace ReleaseGateway.Evaluation.Gates;

/// <summary>How a gate's value must relate to its threshold.</summary>
public enum GateComparison
{
    /// <summary>Pass when value ≤ threshold.</summary>
    AtMost,

    /// <summary>Pass when value ≥ threshold.</summary>
    AtLeast,

    /// <summary>Pass when a noisy statistic stays below the threshold (the DP release check, AboveThreshold).</summary>
    NoisyBelow,
}

/// <summary>
/// One gate, defined once: the policy loader, its validation, the evaluator, the reports and the web tables read it.
/// </summary>
/// <param name="Key">Stable identity: the policy key under <c>gates:</c>, the name in events, manifests and reports.</param>
/// <param name="Title">What the gate measures, for people.</param>
/// <param name="Statistic">The exact statistic compared with the threshold.</param>
/// <param name="Minimum">Smallest allowed threshold.</param>
/// <param name="Maximum">Largest allowed threshold (∞ when unbounded).</param>
/// <param name="MinimumExclusive">Whether the minimum itself is not allowed.</param>
/// <param name="Comparison">How the value must relate to the threshold.</param>
/// <param name="Default">Threshold when the policy names none (calibration: ADR 0009, docs/evaluation.md).</param>
/// <param name="DpTested">Whether the statistic is differentially private and may decide publication (ADR 0026); the
/// others are computed on real data and inform the committee inside the trust boundary.</param>
/// <param name="InPolicy">Whether a policy sets its threshold under <c>gates:</c>; the DP release check has its own section.</param>
/// <param name="Explanation">What a committee member should read from the number.</param>
public sealed record GateDefinition(
    string Key,
    string Title,
    string Statistic,
    double Minimum,
    double Maximum,
    bool MinimumExclusive,
    GateComparison Comparison,
    double Default,
    bool DpTested,
    bool InPolicy,
    string Explanation)
{
    /// <summary>The comparison as a symbol ("≤", "≥", "noisy &lt;"), as events and reports store it.</summary>
    public string Symbol => SymbolOf(Comparison);

    /// <summary>The comparison as a symbol.</summary>
    public static string SymbolOf(GateComparison comparison) => comparison switch
    {
        GateComparison.AtMost => "≤",
        GateComparison.AtLeast => "≥",
        _ => "noisy <",
    };

    /// <summary>Whether <paramref name="value"/> passes at <paramref name="threshold"/>.</summary>
    public bool Passes(double value, double threshold) => Comparison switch
    {
        GateComparison.AtMost => value <= threshold,
        GateComparison.AtLeast => value >= threshold,
        _ => value < threshold,
    };

    /// <summary>The problem with <paramref name="threshold"/> as this gate's threshold, or null when it is in range.</summary>
    public string? RangeProblem(double threshold)
    {
        var aboveMinimum = MinimumExclusive ? threshold > Minimum : threshold >= Minimum;
        if (aboveMinimum && threshold <= Maximum && double.IsFinite(threshold))
        {
            return null;
        }

        var value = threshold.ToString(CultureInfo.InvariantCulture);
        return double.IsPositiveInfinity(Maximum)
            ? $"{value} must be {(MinimumExclusive ? "positive" : "non-negative")}"
            : $"{value} is outside [{Minimum.ToString(CultureInfo.InvariantCulture)}, {Maximum.ToString(CultureInfo.InvariantCulture)}]";
    }

    /// <summary>The decision rule in words, e.g. "passes when the value is at most 0.05".</summary>
    public string Rule(double threshold)
    {
        var t = threshold.ToString("0.###", CultureInfo.InvariantCulture);
        var rule = Comparison switch
        {
            GateComparison.AtMost => $"passes when the value is at most {t}",
            GateComparison.AtLeast => $"passes when the value is at least {t}",
            _ => $"passes when the noisy statistic stays below {t}",
        };
        return rule + (DpTested ? "; DP, decides publication" : "; not DP, computed on real data and shown only inside the gateway");
    }
}

/// <summary>
/// Every gate. A new gate is one entry here, its threshold on <see cref="GateThresholds"/>, and its statistic in the
/// evaluator. Keys are stable: events, manifests and policies carry them.
/// </summary>
public static class GateCatalog
{
    /// <summary>Key of the DP release check, a constant for code that switches on it.</summary>
    public const string DpCopyTestKey = "dpCopyTest";

    // Anonymeter risks are gated only where distinguishable from zero (ADR 0009); the sentence says so once.
    private const string SignificantRisk = "The value is the risk's point estimate when its lower confidence bound (Bonferroni over the risks behind the gate) is above 0, and 0 otherwise: a risk that cannot be told apart from chance does not block. The interval beside it is the 95 % interval of the point estimate.";

    /// <summary>Membership inference.</summary>
    public static readonly GateDefinition MembershipTpr = new(
        "maxMembershipTprAt1PctFpr",
        "Membership inference: TPR at 1 % FPR",
        "Clopper–Pearson lower bound (at 1 − 0.05/k over the k attacks gated) of the worst membership attack's true-positive rate at 1 % false-positive rate; attacks with fewer than 100 non-members cannot resolve 1 % and are reported, not gated, unless no attack has 100",
        0, 1, false, GateComparison.AtMost, 0.05, DpTested: false, InPolicy: true,
        "How many training records the strongest attack recognises as members while wrongly accusing only 1 % of outsiders. ε-DP caps it at e^ε·1 % + δ (2.7 % at ε = 1); a copy of the training data scores near 1 on tables whose records are unique. The value is what the attack demonstrably achieves (the lower end of its interval), so a single lucky guess on a small table does not block.");

    /// <summary>Empirical ε.</summary>
    public static readonly GateDefinition EmpiricalEpsilon = new(
        "maxEmpiricalEpsilonRatio",
        "Empirical ε over claimed ε",
        "largest 95 % lower bound on ε proven by a membership attack (threshold chosen on one half of the scores, Clopper–Pearson bounds on the other), divided by the claimed ε",
        0, double.PositiveInfinity, true, GateComparison.AtMost, 1.0, DpTested: false, InPolicy: true,
        "A value above 1 is statistical proof that the release leaks more than its privacy guarantee allows: the implementation, not chance, is at fault. Not applicable when the release claims no ε.");

    /// <summary>Attribute inference.</summary>
    public static readonly GateDefinition AttributeInference = new(
        "maxAttributeInferenceRisk",
        "Attribute inference risk",
        "Anonymeter residual risk (r_train − r_control)/(1 − r_control) of the nearest-neighbour guess of each secret column, worst significant secret",
        0, 1, false, GateComparison.AtMost, 0.35, DpTested: false, InPolicy: true,
        "How much better an attacker who knows some columns of a patient guesses a secret column for patients in the training data than for patients who were not. " + SignificantRisk);

    /// <summary>Attribute inference by linear reconstruction from the release's counts (ADR 0045).</summary>
    public static readonly GateDefinition Reconstruction = new(
        "maxReconstructionRisk",
        "Reconstruction of sensitive attributes",
        "Anonymeter residual risk of linear reconstruction (Annamalai et al. 2024): each sensitive column solved from the release's counts over quasi-identifier marginals crossed with it, accuracy on training records against holdout records, worst significant secret",
        0, 1, false, GateComparison.AtMost, 0.35, DpTested: false, InPolicy: true,
        "How much better an attacker who knows the quasi-identifiers of everyone in the training data reconstructs their sensitive column, by solving the equations the release's counts impose, than the same attacker does for people not in the training data. Unlike the nearest-neighbour attack it reaches every record pinned down by the counts, not only outliers. The report shows the accuracy beside the majority-class baseline. " + SignificantRisk);

    /// <summary>Singling out.</summary>
    public static readonly GateDefinition SinglingOut = new(
        "maxSinglingOutRisk",
        "Singling-out risk",
        "Anonymeter residual risk of multivariate singling-out predicates (control successes scaled to the training size by empirical Bayes, ADR 0008), when significant",
        0, 1, false, GateComparison.AtMost, 0.30, DpTested: false, InPolicy: true,
        "How much more often a rule written from the synthetic data (\"age ≥ 81, female, stage IV\") isolates exactly one real training patient than one patient of a same-sized group that was not used. " + SignificantRisk);

    /// <summary>Linkability.</summary>
    public static readonly GateDefinition Linkability = new(
        "maxLinkabilityRisk",
        "Linkability risk",
        "Anonymeter residual risk of linking two halves of a record through their nearest synthetic records (ties broken at random), when significant",
        0, 1, false, GateComparison.AtMost, 0.20, DpTested: false, InPolicy: true,
        "How much more often two partial records of the same training patient can be joined through the synthetic data than two of a patient who was not used. " + SignificantRisk);

    /// <summary>Two-way marginal fidelity.</summary>
    public static readonly GateDefinition Tvd2 = new(
        "maxTvd2",
        "Fidelity: mean TVD of 2-way marginals",
        "mean total-variation distance between real and synthetic 2-way marginals over all column pairs",
        0, 1, false, GateComparison.AtMost, 0.65, DpTested: false, InPolicy: true,
        "0 means every pair of columns has exactly the real joint distribution, 1 means none overlaps. A utility gate: it blocks releases too distorted to be useful.");

    /// <summary>Train-synthetic-test-real utility.</summary>
    public static readonly GateDefinition TstrRatio = new(
        "minTstrRatio",
        "Utility: train synthetic, test real (ratio)",
        "balanced accuracy on the real holdout of a model trained on the synthetic data divided by that of the same model trained on the real training data, worst of logistic regression and random forest",
        0, 1, false, GateComparison.AtLeast, 0.5, DpTested: false, InPolicy: true,
        "1 means a model trained on the synthetic data predicts the target as well as one trained on the real data; 0.5 means it reaches half the real model's balanced accuracy.");

    /// <summary>Subgroup fidelity: the worst protected subgroup's 2-way TVD gap; threshold 1 (the default) never blocks.</summary>
    public static readonly GateDefinition SubgroupTvd2Gap = new(
        "maxSubgroupTvd2Gap",
        "Subgroup fidelity: worst subgroup's TVD gap",
        "largest difference, over the categories of the schema's protected attributes with enough rows, between a subgroup's mean 2-way TVD (its real training rows against the synthetic rows of that category) and the whole table's",
        0, 1, false, GateComparison.AtMost, 1, DpTested: false, InPolicy: true,
        "How much worse the release reproduces its worst-served subgroup (one sex, age band or ethnicity) than the table as a whole. 0 means that subgroup is as faithful as the whole table; 0.2 means its column pairs are on average 20 points of probability further off. Off by default (threshold 1 never blocks); not applicable when the schema declares no protected attribute. Small subgroups are noisier, so some gap is expected even from a good release.");

    /// <summary>The DP release check (ADR 0026): its threshold comes from <c>releaseChecks:</c>, not from <c>gates:</c>.</summary>
    public static readonly GateDefinition DpCopyTest = new(
        DpCopyTestKey,
        "DP release check: copies of training records",
        "a·C_train − b·C_holdout plus discrete Laplace noise (AboveThreshold at the plan's ε_g), where C counts training and holdout rows found exactly in the release",
        double.NegativeInfinity, double.PositiveInfinity, false, GateComparison.NoisyBelow, 0, DpTested: true, InPolicy: false,
        "Whether the release contains more exact training records than chance explains. It is differentially private and charged, so it alone decides publication; it catches wholesale copying only.");

    /// <summary>Every gate in report order; the DP release check first.</summary>
    public static IReadOnlyList<GateDefinition> All { get; } =
        [DpCopyTest, MembershipTpr, EmpiricalEpsilon, AttributeInference, Reconstruction, SinglingOut, Linkability, Tvd2, TstrRatio, SubgroupTvd2Gap];

    /// <summary>The gates a policy sets under <c>gates:</c>, in report order.</summary>
    public static IReadOnlyList<GateDefinition> PolicyGates { get; } = [.. All.Where(g => g.InPolicy)];

    /// <summary>The definition of <paramref name="key"/>, or null for a key this version does not know (an older report).</summary>
    public static GateDefinition? Find(string key) => All.FirstOrDefault(g => string.Equals(g.Key, key, StringComparison.Ordinal));

    /// <summary>The gate's title; an unknown key is shown as it is.</summary>
    public static string Title(string key) => Find(key)?.Title ?? key;
}
