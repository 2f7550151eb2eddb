using ReleaseGateway.Privacy.Randomness;
using System.Diagnostics;
using ReleaseGateway.Evaluation.Learning;
using ReleaseGateway.Evaluation.Tables;

namespace ReleaseGateway.Evaluation.Attacks;

/// <summary>
/// The generator under audit, retrained from scratch: given a training table and a seed, returns a
/// synthetic table with the same columns. It must be the same algorithm with the same parameters
/// (ε, δ, workload) as the release.
/// </summary>
public delegate EvalTable SyntheticGenerator(EvalTable training, int seed, CancellationToken cancellationToken);

/// <summary>Settings of the shadow-model attack.</summary>
/// <param name="Targets">k: most at-risk training records attacked.</param>
/// <param name="Runs">R: training pairs per target (each pair = one shadow dataset with and one without the target); ⌈R/2⌉ fresh pairs are added for testing.</param>
/// <param name="DatasetSize">Rows of each shadow training set (at most the holdout size).</param>
public sealed record ShadowModelOptions(int Targets = 5, int Runs = 20, int DatasetSize = 1000);

/// <summary>Per-target outcome.</summary>
/// <param name="TrainRow">Index of the target in the training table.</param>
/// <param name="Outlierness">Mean Gower distance to its 5 nearest holdout (reference) records (why it was chosen).</param>
/// <param name="Auc">AUC of the classifier on the fresh pairs.</param>
/// <param name="Accuracy">Accuracy at probability 0.5 on the fresh pairs.</param>
/// <param name="TestPairs">Fresh pairs tested.</param>
public sealed record ShadowTargetResult(int TrainRow, double Outlierness, double Auc, double Accuracy, int TestPairs);

/// <summary>Outcome of the shadow-model attack, with its cost.</summary>
/// <param name="Pooled">Membership figures over the fresh pairs of all targets.</param>
/// <param name="Targets">Per-target figures.</param>
/// <param name="GeneratorRuns">Generator invocations.</param>
/// <param name="SecondsPerShadowRun">Mean wall time of one generator run plus feature extraction.</param>
/// <param name="SecondsPerTarget">Mean wall time per target (all its runs and its classifier).</param>
/// <param name="TotalSeconds">Wall time of the whole attack.</param>
public sealed record ShadowModelResult(
    MembershipAttackResult Pooled,
    IReadOnlyList<ShadowTargetResult> Targets,
    int GeneratorRuns,
    double SecondsPerShadowRun,
    double SecondsPerTarget,
    double TotalSeconds);

/// <summary>
/// Shadow modelling in the manner of TAPAS' "Groundhog" attack (Stadler et al. 2022, USENIX Security;
/// Houssiau et al. 2022, TAPAS): for each of the k most at-risk training records (largest mean distance to
/// their nearest reference records: outliers are the records a generator leaks first), the attacker
/// repeatedly samples a dataset from auxiliary data (the holdout), trains the generator on it with and
/// without the target, summarises every synthetic output by a feature vector, trains a random forest to
/// tell the two worlds apart and tests it on fresh pairs. Features: per-column mean, standard deviation,
/// minimum, median and maximum (numeric), level frequencies (categorical), and two target-specific
/// features — the Gower distance from the target to its closest synthetic record and the fraction of
/// synthetic records within 1/p of it. This audits the mechanism rather than one output, so it can expose
/// an implementation whose noise is mis-scaled.
/// </summary>
public static class ShadowModelAttack
{
    /// <summary>Runs the attack; cost grows as k·(2R + 2⌈R/2⌉) generator runs.</summary>
    /// <param name="data">Tables; the holdout serves as the attacker's auxiliary data and needs ≥ 2 rows.</param>
    /// <param name="generator">The generator under audit.</param>
    /// <param name="options">k, R and the shadow dataset size.</param>
    /// <param name="delta">δ for the empirical ε bound.</param>
    /// <param name="random">Random source for all choices and generator seeds.</param>
    /// <param name="cancellationToken">Stops the attack.</param>
    public static ShadowModelResult Run(AttackData data, SyntheticGenerator generator, ShadowModelOptions options, double delta, IRandomSource random, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        if (options.Targets < 1 || options.Runs < 2 || options.DatasetSize < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Shadow modelling needs k ≥ 1, R ≥ 2 and datasets of ≥ 2 rows.");
        }

        AttackData.RequireRows(data.Train, "training");
        AttackData.RequireRows(data.Holdout, "holdout", 2);
        var total = Stopwatch.StartNew();
        var columns = data.EvaluatedColumns();
        var metric = GowerMetric.Fit(columns, data.Train, data.Holdout, data.Synthetic);
        var targets = MostAtRisk(data.Train, data.Holdout, metric, options.Targets, random, cancellationToken);
        var size = Math.Min(options.DatasetSize, data.Holdout.RowCount);
        var testPairs = (options.Runs + 1) / 2;
        var memberScores = new List<double>();
        var nonMemberScores = new List<double>();
        var perTarget = new List<ShadowTargetResult>();
        var runs = 0;
        var runTime = TimeSpan.Zero;
        foreach (var (row, outlierness) in targets)
        {
            var target = data.Train.Select([row]);
            var targetRows = metric.Encode(target);
            var features = new List<double[]>();
            var labels = new List<int>();
            for (var pair = 0; pair < options.Runs + testPairs; pair++)
            {
                // Both worlds share the same n−1 auxiliary records and differ in one: the target, or another auxiliary record.
                var auxiliary = AttackData.Sample(data.Holdout.RowCount, size, random);
                var shared = data.Holdout.Select(auxiliary[..(size - 1)]);
                var without = Concat(shared, data.Holdout.Select([auxiliary[size - 1]]));
                var with = Concat(shared, target);
                foreach (var (table, label) in new[] { (with, 1), (without, 0) })
                {
                    var watch = Stopwatch.StartNew();
                    var synthetic = generator(table, (int)(random.NextUInt64() >> 33), cancellationToken);
                    data.Train.EnsureCompatible(synthetic, "shadow synthetic");
                    features.Add(Features(synthetic, columns, metric, targetRows, cancellationToken));
                    labels.Add(label);
                    runTime += watch.Elapsed;
                    runs++;
                }
            }

            var trainCount = 2 * options.Runs;
            var width = features[0].Length;
            var x = features.Take(trainCount).SelectMany(f => f).ToArray();
            var forest = RandomForest.Fit(x, trainCount, width, labels.Take(trainCount).ToArray(), 2, new RandomForestOptions(Trees: 100, MaxDepth: 8, MinLeaf: 1), random, cancellationToken);
            var testX = features.Skip(trainCount).SelectMany(f => f).ToArray();
            var testCount = features.Count - trainCount;
            var probabilities = forest.PredictProbabilities(testX, testCount);
            var scores = Enumerable.Range(0, testCount).Select(i => probabilities[i * 2 + 1]).ToArray();
            var testLabels = labels.Skip(trainCount).ToArray();
            var targetMembers = scores.Where((_, i) => testLabels[i] == 1).ToArray();
            var targetNonMembers = scores.Where((_, i) => testLabels[i] == 0).ToArray();
            memberScores.AddRange(targetMembers);
            nonMemberScores.AddRange(targetNonMembers);
            var accuracy = scores.Where((s, i) => (s > 0.5 ? 1 : 0) == testLabels[i]).Count() / (double)testCount;
            var auc = Statistics.RocCurve.Compute(targetMembers, targetNonMembers).Auc;
            perTarget.Add(new ShadowTargetResult(row, outlierness, auc, accuracy, testPairs));
        }

        var pooled = MembershipAttackResult.FromScores("shadow-model", memberScores, nonMemberScores, delta, random);
        var seconds = total.Elapsed.TotalSeconds;
        return new ShadowModelResult(pooled, perTarget, runs, runTime.TotalSeconds / runs, seconds / targets.Count, seconds);
    }

    /// <summary>
    /// The k training records with the largest mean Gower distance to their 5 nearest records of the reference table,
    /// searched among at most 2,000 random training records. This is the vulnerable-record rule of Meeus et al.
    /// ("Achilles' heels", ESORICS 2023, arXiv 2306.10308: mean distance to the 5 closest records of the attacker's
    /// reference data), with Gower's distance in place of their cosine distance on one-hot and scaled values. The reference
    /// is the holdout, from which every shadow dataset is drawn: a target is vulnerable when it stands apart from the
    /// records it will be trained with, which its distance to other training records (the rule used before) does not
    /// measure — a pair of near-identical outliers shields neither of them in a shadow dataset that holds only one.
    /// </summary>
    /// <param name="train">Candidate targets.</param>
    /// <param name="reference">The attacker's reference records (≥ 1 row).</param>
    /// <param name="metric">Gower metric over the evaluated columns.</param>
    /// <param name="k">Targets to return.</param>
    /// <param name="random">Random source for the candidate sample.</param>
    /// <param name="cancellationToken">Stops the search.</param>
    public static IReadOnlyList<(int Row, double Outlierness)> MostAtRisk(EvalTable train, EvalTable reference, GowerMetric metric, int k, IRandomSource random, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(random);
        AttackData.RequireRows(reference, "reference");
        var candidates = AttackData.Sample(train.RowCount, 2000, random);
        var query = metric.Encode(train.Select(candidates));
        var neighbours = Math.Min(5, reference.RowCount);
        var found = metric.Nearest(query, metric.Encode(reference), neighbours, cancellationToken);
        var scored = new (int Row, double Score)[candidates.Length];
        for (var i = 0; i < candidates.Length; i++)
        {
            var sum = 0.0;
            for (var j = 0; j < neighbours; j++)
            {
                sum += found.Distances[(i * neighbours) + j];
            }

            scored[i] = (candidates[i], sum / neighbours);
        }

        return scored.OrderByDescending(s => s.Score).ThenBy(s => s.Row).Take(k).ToArray();
    }

    private static double[] Features(EvalTable synthetic, int[] columns, GowerMetric metric, GowerRows target, CancellationToken cancellationToken)
    {
        var features = new List<double>();
        foreach (var c in columns)
        {
            var column = synthetic.Columns[c];
            if (column.Kind == ValueKind.Categorical)
            {
                var counts = new double[column.Spec.LevelCount + 1];
                foreach (var code in column.Codes)
                {
                    counts[code < 0 ? counts.Length - 1 : code]++;
                }

                features.AddRange(counts.Select(n => synthetic.RowCount == 0 ? 0 : n / synthetic.RowCount));
                continue;
            }

            var present = column.Values.Where(v => !double.IsNaN(v)).Order().ToArray();
            if (present.Length == 0)
            {
                features.AddRange([0, 0, 0, 0, 0]);
                continue;
            }

            var mean = present.Average();
            features.Add(mean);
            features.Add(Math.Sqrt(present.Sum(v => (v - mean) * (v - mean)) / present.Length));
            features.Add(present[0]);
            features.Add(present[present.Length / 2]);
            features.Add(present[^1]);
        }

        if (synthetic.RowCount == 0)
        {
            features.AddRange([1, 0]);
            return features.ToArray();
        }

        var rows = metric.Encode(synthetic);
        var nearest = metric.Nearest(target, rows, 1, cancellationToken).Nearest(0);
        var close = 0;
        for (var s = 0; s < rows.Count; s++)
        {
            if (metric.Distance(target, 0, rows, s) <= 1.0 / metric.Width + 1e-6)
            {
                close++;
            }
        }

        features.Add(nearest);
        features.Add(close / (double)rows.Count);
        return features.ToArray();
    }

    private static EvalTable Concat(EvalTable a, EvalTable b)
    {
        var columns = new EvalColumn[a.Columns.Count];
        for (var c = 0; c < columns.Length; c++)
        {
            var x = a.Columns[c];
            var y = b.Columns[c];
            columns[c] = x.Kind == ValueKind.Categorical
                ? EvalColumn.Categorical(x.Spec, [.. x.Codes, .. y.Codes])
                : EvalColumn.Numeric(x.Spec, [.. x.Values, .. y.Values]);
        }

        return new EvalTable(columns);
    }
}
