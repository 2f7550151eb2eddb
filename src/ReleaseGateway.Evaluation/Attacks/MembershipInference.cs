using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Evaluation.Statistics;
using ReleaseGateway.Evaluation.Tables;

namespace ReleaseGateway.Evaluation.Attacks;

/// <summary>Outcome of one membership-inference attack.</summary>
/// <param name="Attack">Attack name: "distance", "density-ratio", "marginal-ratio", "shadow-model" or "reconstruction".</param>
/// <param name="Auc">ROC AUC (0.5 = guessing).</param>
/// <param name="AucLower">Lower end of the 95 % Hanley–McNeil interval.</param>
/// <param name="AucUpper">Upper end of that interval.</param>
/// <param name="TprAt1PctFpr">True-positive rate at 1 % false positives.</param>
/// <param name="TprAt1PctFprLower">Clopper–Pearson 95 % lower end.</param>
/// <param name="TprAt1PctFprUpper">Clopper–Pearson 95 % upper end.</param>
/// <param name="TprAt01PctFpr">True-positive rate at 0.1 % false positives.</param>
/// <param name="Advantage">Membership advantage max(TPR − FPR).</param>
/// <param name="Epsilon">Empirical ε lower bound this attack proves.</param>
/// <param name="Members">Members scored.</param>
/// <param name="NonMembers">Non-members scored.</param>
/// <param name="RocFpr">ROC curve (thinned) for plots.</param>
/// <param name="RocTpr">ROC curve (thinned) for plots.</param>
public sealed record MembershipAttackResult(
    string Attack,
    double Auc,
    double AucLower,
    double AucUpper,
    double TprAt1PctFpr,
    double TprAt1PctFprLower,
    double TprAt1PctFprUpper,
    double TprAt01PctFpr,
    double Advantage,
    EpsilonEstimate Epsilon,
    int Members,
    int NonMembers,
    double[] RocFpr,
    double[] RocTpr)
{
    /// <summary>Summarises scores (higher ⇒ member) into the attack's figures.</summary>
    public static MembershipAttackResult FromScores(string attack, IReadOnlyList<double> memberScores, IReadOnlyList<double> nonMemberScores, double delta, IRandomSource random)
    {
        var roc = RocCurve.Compute(memberScores, nonMemberScores);
        var auc = roc.AucInterval(0.95);
        var tpr1 = roc.TprAtFpr(0.01);
        var tprCi = BinomialConfidence.ClopperPearson((int)Math.Round(tpr1 * roc.Positives), roc.Positives, 0.95);
        var epsilon = EmpiricalEpsilon.Estimate(memberScores, nonMemberScores, delta, 0.95, random);
        var (fpr, tpr) = roc.Thin(200);
        return new MembershipAttackResult(
            attack, roc.Auc, auc.Lower, auc.Upper, tpr1, tprCi.Lower, tprCi.Upper, roc.TprAtFpr(0.001), roc.Advantage(),
            epsilon, roc.Positives, roc.Negatives, fpr, tpr);
    }
}

/// <summary>
/// Membership inference against the synthetic release using no model of the generator: members are
/// training records, non-members holdout records, in equal numbers.
/// </summary>
public static class MembershipInference
{
    /// <summary>
    /// Distance to closest record: score(x) = −min_s d(x, s) over synthetic records s, Gower distance over
    /// all evaluated columns. A generator that memorises puts its training records at distance ≈ 0.
    /// </summary>
    /// <param name="data">Train, holdout and synthetic tables; holdout and synthetic data must be non-empty.</param>
    /// <param name="maxTargets">Cap on non-members (and members) scored.</param>
    /// <param name="delta">δ used for the empirical ε bound.</param>
    /// <param name="random">Random source for target sampling and the ε split.</param>
    /// <param name="cancellationToken">Stops the attack.</param>
    public static MembershipAttackResult DistanceToClosestRecord(AttackData data, int maxTargets, double delta, IRandomSource random, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTargets, 1);
        AttackData.RequireRows(data.Holdout, "holdout");
        AttackData.RequireRows(data.Synthetic, "synthetic");
        var count = Math.Min(Math.Min(maxTargets, data.Holdout.RowCount), data.Train.RowCount);
        var members = data.Train.Select(AttackData.Sample(data.Train.RowCount, count, random));
        var nonMembers = data.Holdout.Select(AttackData.Sample(data.Holdout.RowCount, count, random));
        var metric = GowerMetric.Fit(data.EvaluatedColumns(), data.Train, data.Holdout, data.Synthetic);
        var synthetic = metric.Encode(data.Synthetic);
        var memberScores = Scores(metric.Nearest(metric.Encode(members), synthetic, 1, cancellationToken), members.RowCount);
        var nonMemberScores = Scores(metric.Nearest(metric.Encode(nonMembers), synthetic, 1, cancellationToken), nonMembers.RowCount);
        return MembershipAttackResult.FromScores("distance", memberScores, nonMemberScores, delta, random);

        static double[] Scores(Neighbours n, int count) => Enumerable.Range(0, count).Select(i => -(double)n.Nearest(i)).ToArray();
    }

    /// <summary>
    /// Density ratio in the manner of DOMIAS (van Breugel et al. 2023, AISTATS): score(x) =
    /// ln p̂_syn(x) − ln p̂_ref(x), where p̂_ref is fitted on a reference half of the holdout that is never
    /// scored. Overfitting raises the synthetic density at a training record above what the population
    /// density explains, which is most visible for rare records (small p̂_ref). p̂_syn is a Laplace-kernel
    /// estimate in Gower distance (<see cref="GowerMetric.LogKernelDensity"/>) with bandwidth h = one tenth of
    /// the median distance from a reference record to its closest synthetic record (or of the smallest positive
    /// such distance, when most have exact matches): neighbours at the distance where unseen records typically
    /// find one weigh e⁻¹⁰, so a record's exact or near copy dominates its own density. The reference set is
    /// small (half the holdout), so p̂_ref is a product of smooth one-dimensional densities
    /// (<see cref="ReferenceDensity"/>), which a few hundred rows estimate stably; the correlation structure it
    /// omits is shared by members and non-members alike. Every synthetic record enters p̂_syn (a subsample would
    /// drop the very copies the attack looks for), so the cost is 2·<paramref name="maxTargets"/>·|synthetic|
    /// distance evaluations.
    /// </summary>
    public static MembershipAttackResult DensityRatio(AttackData data, int maxTargets, double delta, IRandomSource random, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTargets, 1);
        AttackData.RequireRows(data.Holdout, "holdout", 2);
        AttackData.RequireRows(data.Synthetic, "synthetic");
        var holdoutOrder = AttackData.Sample(data.Holdout.RowCount, data.Holdout.RowCount, random);
        var half = holdoutOrder.Length / 2;
        var reference = data.Holdout.Select(holdoutOrder[..half]);
        var count = Math.Min(Math.Min(maxTargets, holdoutOrder.Length - half), data.Train.RowCount);
        var nonMembers = data.Holdout.Select(holdoutOrder[half..(half + count)]);
        var members = data.Train.Select(AttackData.Sample(data.Train.RowCount, count, random));

        var metric = GowerMetric.Fit(data.EvaluatedColumns(), data.Train, data.Holdout, data.Synthetic);
        var syn = metric.Encode(data.Synthetic);
        var refRows = metric.Encode(reference);
        var toSynthetic = metric.Nearest(refRows, syn, 1, cancellationToken);
        var nearest = Enumerable.Range(0, refRows.Count).Select(i => (double)toSynthetic.Nearest(i)).Order().ToArray();
        // A tenth of the typical distance to the closest synthetic record (of the smallest positive one when most
        // reference records have exact matches).
        var positive = nearest.Where(d => d > 0).DefaultIfEmpty(1.0 / metric.Width).ToArray();
        var bandwidth = Math.Max(nearest[nearest.Length / 2], positive[0]) / 10;
        var referenceDensity = ReferenceDensity.Fit(reference, data.EvaluatedColumns());

        double[] Score(EvalTable targets)
        {
            var rows = metric.Encode(targets);
            var logSyn = metric.LogKernelDensity(rows, syn, bandwidth, cancellationToken);
            var logRef = referenceDensity.LogDensity(targets, cancellationToken);
            return logSyn.Select((p, i) => p - logRef[i]).ToArray();
        }

        return MembershipAttackResult.FromScores("density-ratio", Score(members), Score(nonMembers), delta, random);
    }
}
