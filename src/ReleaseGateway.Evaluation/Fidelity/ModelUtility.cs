using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Evaluation.Learning;
using ReleaseGateway.Evaluation.Statistics;
using ReleaseGateway.Evaluation.Tables;

namespace ReleaseGateway.Evaluation.Fidelity;

/// <summary>Train-on-synthetic, test-on-real scores of one model.</summary>
/// <param name="Model">"logistic-regression" or "random-forest".</param>
/// <param name="RealScore">Balanced accuracy on the holdout after training on the real training data.</param>
/// <param name="SyntheticScore">Balanced accuracy on the holdout after training on the synthetic data.</param>
/// <param name="Ratio">SyntheticScore / RealScore (1 when both are 0).</param>
public sealed record TstrScore(string Model, double RealScore, double SyntheticScore, double Ratio);

/// <summary>TSTR outcome for the target column.</summary>
/// <param name="Target">Target column.</param>
/// <param name="Classes">Classes predicted (a numeric target is cut at its real quartiles).</param>
/// <param name="Scores">Per-model scores.</param>
/// <param name="Ratio">Smallest ratio over the models (what the gate reads).</param>
public sealed record TstrResult(string Target, int Classes, IReadOnlyList<TstrScore> Scores, double Ratio);

/// <summary>Discriminator outcome.</summary>
/// <param name="Auc">ROC AUC of a random forest telling real (holdout) from synthetic records on rows it was not fitted on (0.5 = indistinguishable).</param>
/// <param name="RealRows">Holdout rows used (half to fit, half to test).</param>
/// <param name="SyntheticRows">Synthetic rows used.</param>
public sealed record DiscriminatorResult(double Auc, int RealRows, int SyntheticRows);

/// <summary>Model-based fidelity and utility: a real-vs-synthetic discriminator and TSTR (Esteban et al. 2017; Jordon et al. 2022).</summary>
public static class ModelUtility
{
    /// <summary>
    /// Trains a random forest to tell half of the holdout rows from half of the synthetic rows (each capped at
    /// <paramref name="maxRows"/>) and reports its AUC on the other halves. Real rows come from the holdout, not
    /// the training data, so synthetic copies of training rows cannot meet themselves across the fit/test split.
    /// </summary>
    public static DiscriminatorResult Discriminator(EvalTable train, EvalTable holdout, EvalTable synthetic, IReadOnlyList<int> columns, int maxRows, IRandomSource random, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(holdout);
        ArgumentNullException.ThrowIfNull(synthetic);
        ArgumentNullException.ThrowIfNull(random);
        if (holdout.RowCount < 2 || synthetic.RowCount < 2)
        {
            throw new InvalidOperationException("The discriminator needs at least two holdout and two synthetic rows.");
        }

        var r = Sample(holdout.RowCount, maxRows, random);
        var s = Sample(synthetic.RowCount, maxRows, random);
        var encoder = FeatureEncoder.Fit(train, columns);
        var (rFit, rTest) = (r[..(r.Length / 2)], r[(r.Length / 2)..]);
        var (sFit, sTest) = (s[..(s.Length / 2)], s[(s.Length / 2)..]);
        double[] x = [.. encoder.Transform(holdout, rFit), .. encoder.Transform(synthetic, sFit)];
        int[] y = [.. Enumerable.Repeat(1, rFit.Length), .. Enumerable.Repeat(0, sFit.Length)];
        var forest = RandomForest.Fit(x, y.Length, encoder.Width, y, 2, new RandomForestOptions(), random, cancellationToken);
        var pReal = forest.PredictProbabilities(encoder.Transform(holdout, rTest), rTest.Length);
        var pSyn = forest.PredictProbabilities(encoder.Transform(synthetic, sTest), sTest.Length);
        var auc = RocCurve.Compute(
            Enumerable.Range(0, rTest.Length).Select(i => pReal[i * 2 + 1]).ToArray(),
            Enumerable.Range(0, sTest.Length).Select(i => pSyn[i * 2 + 1]).ToArray()).Auc;
        return new DiscriminatorResult(auc, r.Length, s.Length);
    }

    /// <summary>
    /// TSTR for <paramref name="target"/>: logistic regression and a random forest trained on the synthetic
    /// data and on the real training data (each capped at <paramref name="maxRows"/> rows), both tested on the
    /// holdout; score = balanced accuracy, so that predicting the majority class earns only 1/K.
    /// </summary>
    public static TstrResult Tstr(EvalTable train, EvalTable holdout, EvalTable synthetic, int target, IReadOnlyList<int> features, int maxRows, IRandomSource random, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(holdout);
        ArgumentNullException.ThrowIfNull(synthetic);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(random);
        var d = TstrData.Prepare(train, holdout, synthetic, target, features, maxRows, random, cancellationToken);
        var scores = new List<TstrScore>();
        foreach (var (name, fit) in d.Models)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var real = ClassifierExtensions.BalancedAccuracy(d.YTest, fit(d.XReal, d.YReal).Predict(d.XTest, holdout.RowCount));
            var syn = ClassifierExtensions.BalancedAccuracy(d.YTest, fit(d.XSyn, d.YSyn).Predict(d.XTest, holdout.RowCount));
            scores.Add(new TstrScore(name, real, syn, real > 0 ? syn / real : 1));
        }

        return new TstrResult(train.Columns[target].Name, d.Labels.Classes, scores, scores.Min(s => s.Ratio));
    }

    /// <summary>
    /// TSTR ratio (worst of the two models, as <see cref="Tstr"/>) on each group of holdout rows and on the whole
    /// holdout: each model is fitted once on the real training data and once on the synthetic data, then scored on
    /// every group, so the groups differ only in whom the models are tested on.
    /// </summary>
    /// <returns>The whole-holdout ratio and one ratio per group, in the order given.</returns>
    public static (double Whole, double[] Groups) TstrByGroup(EvalTable train, EvalTable holdout, EvalTable synthetic, int target, IReadOnlyList<int> features, IReadOnlyList<int[]> groups, int maxRows, IRandomSource random, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(holdout);
        ArgumentNullException.ThrowIfNull(synthetic);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(random);
        var d = TstrData.Prepare(train, holdout, synthetic, target, features, maxRows, random, cancellationToken);
        var whole = double.PositiveInfinity;
        var ratios = Enumerable.Repeat(double.PositiveInfinity, groups.Count).ToArray();
        foreach (var (_, fit) in d.Models)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var real = fit(d.XReal, d.YReal).Predict(d.XTest, holdout.RowCount);
            var syn = fit(d.XSyn, d.YSyn).Predict(d.XTest, holdout.RowCount);
            double Ratio(int[] rows)
            {
                var truth = rows.Select(r => d.YTest[r]).ToArray();
                var r0 = ClassifierExtensions.BalancedAccuracy(truth, rows.Select(r => real[r]).ToArray());
                var s0 = ClassifierExtensions.BalancedAccuracy(truth, rows.Select(r => syn[r]).ToArray());
                return r0 > 0 ? s0 / r0 : 1;
            }

            whole = Math.Min(whole, Ratio([.. Enumerable.Range(0, holdout.RowCount)]));
            for (var g = 0; g < groups.Count; g++)
            {
                ratios[g] = Math.Min(ratios[g], Ratio(groups[g]));
            }
        }

        return (whole, ratios);
    }

    /// <summary>TSTR's inputs: the target's classes, the encoded holdout, and the (capped) real and synthetic training sets with the two models.</summary>
    private sealed record TstrData(TargetLabels Labels, double[] XTest, int[] YTest, double[] XReal, int[] YReal, double[] XSyn, int[] YSyn,
        (string Name, Func<double[], int[], IClassifier> Fit)[] Models)
    {
        public static TstrData Prepare(EvalTable train, EvalTable holdout, EvalTable synthetic, int target, IReadOnlyList<int> features, int maxRows, IRandomSource random, CancellationToken cancellationToken)
        {
            if (train.RowCount < 1 || holdout.RowCount < 1 || synthetic.RowCount < 1)
            {
                throw new InvalidOperationException("TSTR needs non-empty training, holdout and synthetic tables.");
            }

            var labels = TargetLabels.Fit(train.Columns[target]);
            var tr = Sample(train.RowCount, maxRows, random);
            var sy = Sample(synthetic.RowCount, maxRows, random);
            var encoder = FeatureEncoder.Fit(train, features);
            var xTest = encoder.Transform(holdout);
            var yTest = Enumerable.Range(0, holdout.RowCount).Select(r => labels.Label(holdout.Columns[target], r)).ToArray();
            var xReal = encoder.Transform(train, tr);
            var yReal = tr.Select(r => labels.Label(train.Columns[target], r)).ToArray();
            var xSyn = encoder.Transform(synthetic, sy);
            var ySyn = sy.Select(r => labels.Label(synthetic.Columns[target], r)).ToArray();

            return new TstrData(labels, xTest, yTest, xReal, yReal, xSyn, ySyn,
            [
                // Scored by balanced accuracy, so both predict by its Bayes rule (BalancedClassifier, ADR 0046).
                ("logistic-regression", (x, y) => BalancedClassifier.Wrap(LogisticRegression.Fit(x, y.Length, encoder.Width, y, labels.Classes), y)),
                ("random-forest", (x, y) => BalancedClassifier.Wrap(RandomForest.Fit(x, y.Length, encoder.Width, y, labels.Classes, new RandomForestOptions(), random, cancellationToken), y)),
            ]);
        }
    }

    private static int[] Sample(int n, int max, IRandomSource random)
    {
        var all = Enumerable.Range(0, n).ToArray();
        random.Shuffle(all);
        return all[..Math.Min(n, max)];
    }

    /// <summary>Categorical codes (missing = last class) or, for a numeric target, quartile classes of the real training values.</summary>
    private sealed class TargetLabels(double[] cuts, int classes, bool categorical)
    {
        public int Classes => classes;

        public static TargetLabels Fit(EvalColumn real)
        {
            if (real.Kind == ValueKind.Categorical)
            {
                return new TargetLabels([], real.Spec.LevelCount + 1, true);
            }

            var present = real.Values.Where(v => !double.IsNaN(v)).Order().ToArray();
            var cuts = present.Length == 0
                ? []
                : new SortedSet<double>(new[] { 1, 2, 3 }.Select(q => present[q * (present.Length - 1) / 4])).ToArray();
            return new TargetLabels(cuts, cuts.Length + 2, false);
        }

        public int Label(EvalColumn column, int row)
        {
            if (column.IsMissing(row))
            {
                return classes - 1;
            }

            if (categorical)
            {
                return column.Codes[row];
            }

            var index = Array.BinarySearch(cuts, column.Values[row]);
            return index >= 0 ? index : ~index;
        }
    }
}
