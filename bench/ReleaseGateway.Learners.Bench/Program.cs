using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Evaluation.Learning;
using ReleaseGateway.Evaluation.Protocol;
using ReleaseGateway.Evaluation.Tables;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Synthesis.Marginals;
using ReleaseGateway.Synthesis.Synthesizers;

// The hand-written random forest of TSTR and the model-based attacks against ML.NET's gradient-boosted trees (FastTree,
// one-versus-all for several classes; LightGBM multiclass) and its random forest (FastForest), on shared tables: balanced
// accuracy on the holdout after training on the real training rows and on an MST ε = 1 release, and the time to fit and
// predict. ADR 0046 records the figures.
//   usage: learners [DATA_DIR] [TABLE:TARGET,...]   (default target: the last column)
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var dataDir = args.Length > 0 ? args[0] : ReleaseGateway.Testing.RepositoryPaths.SharedData;
var names = args.Length > 1 ? args[1].Split(',') : ["pima:diabetes", "gbsg:status", "colon:status", "nwtco:rel", "mgus2:pstat"];
Console.WriteLine($"learners, {Environment.ProcessorCount} cores, {DateTime.UtcNow:u}");
Console.WriteLine("| table | target (classes) | learner | balanced accuracy, real-trained | synthetic-trained (TSTR) | fit + predict s (both) |");
Console.WriteLine("|---|---|---|---|---|---|");
foreach (var spec in names)
{
    var name = spec.Split(':')[0];
    var schema = DatasetSchema.Load(Path.Combine(dataDir, name + "-domain.json"));
    var coding = new SchemaCoding(schema);
    var table = coding.ToEval(CsvTableReader.Read(Path.Combine(dataDir, name + "-disc.csv"), schema));
    var split = HoldoutSplit.Split(table.RowCount, 0.2, 1);
    var train = table.Select(split.Train);
    var holdout = table.Select(split.Holdout);
    var options = new SynthesisOptions { Method = SynthesisMethod.Mst, Epsilon = 1, Delta = 1e-9, Rows = train.RowCount, Seed = 5 };
    var synthetic = coding.ToEval(Synthesizer.Run(new TableMarginalSource(coding.ToEncoded(train)), options).Table);
    var target = spec.Contains(':') ? table.IndexOf(spec.Split(':')[1]) : table.Columns.Count - 1;
    var features = Enumerable.Range(0, table.Columns.Count).Where(c => c != target).ToArray();
    var encoder = FeatureEncoder.Fit(train, features);
    var classes = table.Columns[target].Kind == ValueKind.Categorical ? table.Columns[target].Spec.LevelCount + 1 : 2;
    int Label(EvalTable t, int r) => t.Columns[target].Kind == ValueKind.Categorical
        ? (t.Columns[target].Codes[r] < 0 ? classes - 1 : t.Columns[target].Codes[r])
        : (t.Columns[target].Values[r] > train.Columns[target].Values.Order().ElementAt(train.RowCount / 2) ? 1 : 0);
    int[] Labels(EvalTable t) => [.. Enumerable.Range(0, t.RowCount).Select(r => Label(t, r))];
    var (xTrain, yTrain) = (encoder.Transform(train), Labels(train));
    var (xSyn, ySyn) = (encoder.Transform(synthetic), Labels(synthetic));
    var (xTest, yTest) = (encoder.Transform(holdout), Labels(holdout));
    var width = encoder.Width;

    var learners = new (string Name, Func<double[], int[], int, Func<double[], int, int[]>> Fit)[]
    {
        ("hand-written random forest (40 trees, depth 12)", (x, y, n) =>
        {
            var forest = RandomForest.Fit(x, n, width, y, classes, new RandomForestOptions(), new SeededRandomSource(1));
            return (tx, tn) => forest.Predict(tx, tn);
        }),
        // Balanced accuracy rewards every class's recall equally; its Bayes rule is argmax p(c | x)/π(c) (BalancedClassifier).
        ("hand-written random forest, prior-corrected (TSTR since ADR 0046)", (x, y, n) =>
        {
            var forest = BalancedClassifier.Wrap(RandomForest.Fit(x, n, width, y, classes, new RandomForestOptions(), new SeededRandomSource(1)), y);
            return (tx, tn) => forest.Predict(tx, tn);
        }),
        ("ML.NET FastForest (40 trees)", (x, y, n) => MlNet(x, y, n, width, classes, ml => classes == 2
            ? ml.BinaryClassification.Trainers.FastForest(numberOfTrees: 40)
            : null, ml => ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastForest(numberOfTrees: 40)))),
        ("ML.NET FastTree (100 trees)", (x, y, n) => MlNet(x, y, n, width, classes, ml => classes == 2
            ? ml.BinaryClassification.Trainers.FastTree()
            : null, ml => ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastTree()))),
        // One thread: LightGBM's OpenMP workers spin while waiting, which on a shared 2-core machine cost it 10–25 s per table.
        ("ML.NET LightGBM (100 rounds)", (x, y, n) => MlNet(x, y, n, width, classes, _ => null, ml => ml.MulticlassClassification.Trainers.LightGbm(
            new Microsoft.ML.Trainers.LightGbm.LightGbmMulticlassTrainer.Options { NumberOfThreads = 1 }))),
        ("ML.NET LightGBM, prior-corrected", (x, y, n) => MlNet(x, y, n, width, classes, _ => null, ml => ml.MulticlassClassification.Trainers.LightGbm(
            new Microsoft.ML.Trainers.LightGbm.LightGbmMulticlassTrainer.Options { NumberOfThreads = 1 }), balanced: true)),
        ("ML.NET FastForest, prior-corrected", (x, y, n) => MlNet(x, y, n, width, classes, _ => null,
            ml => ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastForest(numberOfTrees: 40)), balanced: true)),
    };
    foreach (var (learner, fit) in learners)
    {
        var watch = Stopwatch.StartNew();
        var real = ClassifierExtensions.BalancedAccuracy(yTest, fit(xTrain, yTrain, yTrain.Length)(xTest, yTest.Length));
        var tstr = ClassifierExtensions.BalancedAccuracy(yTest, fit(xSyn, ySyn, ySyn.Length)(xTest, yTest.Length));
        Console.WriteLine($"| {name} ({train.RowCount}) | {table.Columns[target].Name} ({classes}) | {learner} | {real:0.000} | {tstr:0.000} | {watch.Elapsed.TotalSeconds:0.00} |");
    }
}

return 0;

// Fits an ML.NET learner on rows of a FeatureEncoder matrix; a binary learner's score is thresholded at 0, a multiclass
// learner predicts the key of its most probable class.
static Func<double[], int, int[]> MlNet(double[] x, int[] y, int n, int width, int classes,
    Func<MLContext, IEstimator<ITransformer>?> binary, Func<MLContext, IEstimator<ITransformer>> multiclass, bool balanced = false)
{
    var ml = new MLContext(seed: 1);
    var schema = SchemaDefinition.Create(typeof(Row));
    schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
    IEnumerable<Row> Rows(double[] m, int rows, int[]? labels) => Enumerable.Range(0, rows).Select(i => new Row
    {
        Features = [.. m.AsSpan(i * width, width).ToArray().Select(v => (float)v)],
        Label = labels is null ? 0 : (uint)labels[i],
        Binary = labels is not null && labels[i] == 1,
    });
    var data = ml.Data.LoadFromEnumerable(Rows(x, n, y), schema);
    if (binary(ml) is { } b)
    {
        var model = ml.Transforms.CopyColumns("Label", nameof(Row.Binary)).Append(b).Fit(data);
        return (tx, tn) =>
        {
            var scored = model.Transform(ml.Data.LoadFromEnumerable(Rows(tx, tn, null), schema));
            return [.. scored.GetColumn<bool>("PredictedLabel").Select(p => p ? 1 : 0)];
        };
    }

    // Keys are numbered in the order values are first seen; map them back to the labels through the key's value list.
    var pipeline = ml.Transforms.Conversion.MapValueToKey("Key", nameof(Row.Label)).Append(ml.Transforms.CopyColumns("Label", "Key"))
        .Append(multiclass(ml));
    var fitted = pipeline.Fit(data);
    return (tx, tn) =>
    {
        var scored = fitted.Transform(ml.Data.LoadFromEnumerable(Rows(tx, tn, null), schema));
        VBuffer<uint> keys = default;
        scored.Schema["Key"].GetKeyValues(ref keys);
        var values = keys.DenseValues().ToArray();
        if (!balanced)
        {
            return [.. scored.GetColumn<uint>("PredictedLabel").Select(k => k == 0 ? 0 : (int)values[k - 1])];
        }

        // The same Bayes rule for balanced accuracy as BalancedClassifier: each key's score over its label's frequency.
        var prior = values.Select(v => y.Count(l => l == v) / (double)n).ToArray();
        return [.. scored.GetColumn<float[]>("Score").Select(score => (int)values[Enumerable.Range(0, score.Length).MaxBy(k => score[k] / prior[k])])];
    };
}

internal sealed class Row
{
    public float[] Features { get; set; } = [];

    public uint Label { get; set; }

    public bool Binary { get; set; }
}
