using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Evaluation.Learning;
using ReleaseGateway.Evaluation.Statistics;
using ReleaseGateway.Evaluation.Tables;

namespace ReleaseGateway.Evaluation.Attacks;

/// <summary>Attribute-inference risks for one secret column.</summary>
/// <param name="Secret">Secret column name.</param>
/// <param name="Numeric">Whether the secret is numeric (guess correct within the relative tolerance) or categorical (exact).</param>
/// <param name="NearestNeighbour">Anonymeter's attack: the secret of the closest synthetic record on the known columns.</param>
/// <param name="ModelBased">A random forest trained on the synthetic data to predict the secret from the known columns.</param>
public sealed record AttributeInferenceResult(string Secret, bool Numeric, PrivacyRisk NearestNeighbour, PrivacyRisk ModelBased)
{
    /// <summary>The larger of the two risks.</summary>
    public double Risk => Math.Max(NearestNeighbour.Value, ModelBased.Value);
}

/// <summary>
/// Attribute inference with Anonymeter's definitions (Giomi et al. 2023, §4.3): the attacker knows the
/// auxiliary columns of a target and guesses its secret from the synthetic data. The same attack is run on
/// training targets and on holdout (control) targets; risk = (success_train − success_control)/(1 −
/// success_control) (<see cref="PrivacyRisk"/>). The naive baseline guesses the secret of a random synthetic
/// record. A numeric guess g of secret s succeeds when |g − s| ≤ τ·|s| (τ = 0.05); two missing values match.
/// </summary>
public static class AttributeInference
{
    /// <summary>Synthetic rows the model-based attacker trains on (a random subset when there are more).</summary>
    public const int ModelRows = 5000;

    /// <summary>Relative tolerance τ for numeric secrets (Anonymeter's default).</summary>
    public const double Tolerance = 0.05;

    /// <summary>Runs both attacks on one secret column.</summary>
    /// <param name="data">Tables; training, holdout and synthetic data must be non-empty.</param>
    /// <param name="auxColumns">Columns the attacker knows (must not include the secret; may be empty).</param>
    /// <param name="secret">Index of the secret column.</param>
    /// <param name="attacks">Targets attacked in each of the training and control sets (fewer when the holdout is smaller).</param>
    /// <param name="random">Random source.</param>
    /// <param name="cancellationToken">Stops the attack.</param>
    public static AttributeInferenceResult Run(AttackData data, IReadOnlyList<int> auxColumns, int secret, int attacks, IRandomSource random, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(auxColumns);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(attacks, 1);
        if (auxColumns.Contains(secret))
        {
            throw new ArgumentException("The secret cannot be an auxiliary column.", nameof(auxColumns));
        }

        AttackData.RequireRows(data.Train, "training");
        AttackData.RequireRows(data.Holdout, "holdout");
        AttackData.RequireRows(data.Synthetic, "synthetic");
        var secretColumn = data.Train.Columns[secret];
        var numeric = secretColumn.Kind == ValueKind.Numeric;
        // Equal numbers of training and control targets: Wilson rates shrink towards ½ by an amount that
        // depends on n, so unequal counts would show a risk even for a secret every record shares.
        var n = Math.Min(attacks, Math.Min(data.Train.RowCount, data.Holdout.RowCount));
        var targets = AttackData.Sample(data.Train.RowCount, n, random);
        var controls = AttackData.Sample(data.Holdout.RowCount, n, random);
        var baselineGuesses = Enumerable.Range(0, n).Select(_ => random.NextInt(data.Synthetic.RowCount)).ToArray();
        var baseline = CountHits(secretColumn, targets, data.Synthetic.Columns[secret], baselineGuesses);

        var nn = NearestNeighbourRisk(data, auxColumns, secret, targets, controls, baseline, cancellationToken);
        var model = ModelRisk(data, auxColumns, secret, targets, controls, baseline, random, cancellationToken);
        return new AttributeInferenceResult(secretColumn.Name, numeric, nn, model);
    }

    /// <summary>Whether guess value <paramref name="g"/> matches secret <paramref name="s"/> (both from numeric columns).</summary>
    public static bool NumericMatch(double g, double s) =>
        (double.IsNaN(g) && double.IsNaN(s)) || Math.Abs(g - s) <= Tolerance * Math.Abs(s);

    private static PrivacyRisk NearestNeighbourRisk(AttackData data, IReadOnlyList<int> aux, int secret, int[] targets, int[] controls, int baseline, CancellationToken cancellationToken)
    {
        var syn = data.Synthetic.Columns[secret];
        var metric = aux.Count == 0 ? null : GowerMetric.Fit(aux, data.Train, data.Holdout, data.Synthetic);
        var candidates = metric?.Encode(data.Synthetic);
        int[] Guesses(EvalTable table, int[] rows)
        {
            if (metric is null)
            {
                // No auxiliary knowledge: every target looks the same, so the attacker's best
                // nearest-neighbour guess is one fixed synthetic record.
                return new int[rows.Length];
            }

            var found = metric.Nearest(metric.Encode(table.Select(rows)), candidates!, 1, cancellationToken);
            return Enumerable.Range(0, rows.Length).Select(i => found.Indices[i]).ToArray();
        }

        var hits = CountHits(data.Train.Columns[secret], targets, syn, Guesses(data.Train, targets));
        var controlHits = CountHits(data.Holdout.Columns[secret], controls, syn, Guesses(data.Holdout, controls));
        return PrivacyRisk.FromCounts(targets.Length, hits, controls.Length, controlHits, baseline);
    }

    private static PrivacyRisk ModelRisk(AttackData data, IReadOnlyList<int> aux, int secret, int[] targets, int[] controls, int baseline, IRandomSource random, CancellationToken cancellationToken)
    {
        var labels = SecretLabels.Fit(data.Synthetic.Columns[secret]);
        if (aux.Count == 0 || labels.Classes < 2)
        {
            // Nothing to learn from: the model's guess is the synthetic mode, the same for every target.
            var mode = labels.Representative(labels.Mode);
            var hit = Count(data.Train.Columns[secret], targets, mode);
            var controlHit = Count(data.Holdout.Columns[secret], controls, mode);
            return PrivacyRisk.FromCounts(targets.Length, hit, controls.Length, controlHit, baseline);
        }

        var fitRows = AttackData.Sample(data.Synthetic.RowCount, ModelRows, random);
        var encoder = FeatureEncoder.Fit(data.Synthetic, aux);
        var x = encoder.Transform(data.Synthetic, fitRows);
        var y = fitRows.Select(r => labels.Label(data.Synthetic.Columns[secret], r)).ToArray();
        var forest = RandomForest.Fit(x, fitRows.Length, encoder.Width, y, labels.Classes, new RandomForestOptions(Trees: 25), random, cancellationToken);

        int Hits(EvalTable table, int[] rows)
        {
            var predicted = forest.Predict(encoder.Transform(table, rows), rows.Length);
            var column = table.Columns[secret];
            return Enumerable.Range(0, rows.Length).Count(i => labels.Matches(column, rows[i], labels.Representative(predicted[i])));
        }

        return PrivacyRisk.FromCounts(targets.Length, Hits(data.Train, targets), controls.Length, Hits(data.Holdout, controls), baseline);
    }

    private static int CountHits(EvalColumn truth, int[] rows, EvalColumn guesses, int[] guessRows)
    {
        var hits = 0;
        for (var i = 0; i < rows.Length; i++)
        {
            var match = truth.Kind == ValueKind.Categorical
                ? truth.Codes[rows[i]] == guesses.Codes[guessRows[i]]
                : NumericMatch(guesses.Values[guessRows[i]], truth.Values[rows[i]]);
            hits += match ? 1 : 0;
        }

        return hits;
    }

    private static int Count(EvalColumn truth, int[] rows, double guess) =>
        rows.Count(r => truth.Kind == ValueKind.Categorical ? truth.Codes[r] == (int)guess : NumericMatch(guess, truth.Values[r]));

    /// <summary>
    /// Class labels for a secret: categorical codes (missing is a class of its own) or, for a numeric secret,
    /// up to 10 quantile bins of the synthetic values (plus a missing class), each represented by the median
    /// synthetic value in the bin — the guess that is then judged with the relative tolerance.
    /// </summary>
    private sealed class SecretLabels
    {
        private readonly double[] cuts;
        private readonly double[] representatives;

        private SecretLabels(double[] cuts, double[] representatives, int mode)
        {
            this.cuts = cuts;
            this.representatives = representatives;
            Mode = mode;
        }

        public int Classes => representatives.Length;

        public int Mode { get; }

        public static SecretLabels Fit(EvalColumn synthetic)
        {
            if (synthetic.Kind == ValueKind.Categorical)
            {
                var k = synthetic.Spec.LevelCount + 1;
                var counts = new int[k];
                foreach (var code in synthetic.Codes)
                {
                    counts[code < 0 ? k - 1 : code]++;
                }

                var reps = Enumerable.Range(0, k).Select(c => c == k - 1 ? -1.0 : c).ToArray();
                return new SecretLabels([], reps, Array.IndexOf(counts, counts.Max()));
            }

            var present = synthetic.Values.Where(v => !double.IsNaN(v)).Order().ToArray();
            var cutSet = new SortedSet<double>();
            for (var b = 1; b < 10 && present.Length > 0; b++)
            {
                cutSet.Add(present[(int)((long)b * (present.Length - 1) / 10)]);
            }

            var cutArray = cutSet.ToArray();
            var bins = new List<double>[cutArray.Length + 2];
            for (var b = 0; b < bins.Length; b++)
            {
                bins[b] = [];
            }

            foreach (var v in synthetic.Values)
            {
                bins[BinOf(cutArray, v)].Add(v);
            }

            var representativesArray = bins.Select((values, b) =>
                b == bins.Length - 1 || values.Count == 0 ? double.NaN : values.Order().ElementAt(values.Count / 2)).ToArray();
            var mode = Enumerable.Range(0, bins.Length).MaxBy(b => bins[b].Count);
            return new SecretLabels(cutArray, representativesArray, mode);
        }

        public int Label(EvalColumn column, int row) =>
            column.Kind == ValueKind.Categorical
                ? (column.Codes[row] < 0 ? Classes - 1 : column.Codes[row])
                : BinOf(cuts, column.Values[row]);

        public double Representative(int label) => representatives[label];

        public bool Matches(EvalColumn column, int row, double guess) =>
            column.Kind == ValueKind.Categorical ? column.Codes[row] == (int)guess : NumericMatch(guess, column.Values[row]);

        // Bins 0..cuts.Length hold values ≤ each cut in turn; the last bin holds missing values.
        private static int BinOf(double[] cuts, double v)
        {
            if (double.IsNaN(v))
            {
                return cuts.Length + 1;
            }

            var index = Array.BinarySearch(cuts, v);
            return index >= 0 ? index : ~index;
        }
    }
}
