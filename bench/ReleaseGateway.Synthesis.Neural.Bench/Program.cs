using System.Diagnostics;
using System.Globalization;
using ReleaseGateway.Evaluation.Fidelity;
using ReleaseGateway.Evaluation.Protocol;
using ReleaseGateway.Evaluation.Tables;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Datasets.Generators;
using ReleaseGateway.Synthesis.Marginals;
using ReleaseGateway.Synthesis.Neural.Generators;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Synthesis.Synthesizers;

// Neural (DP-SGD MADE) vs graphical-model default on the shared tables; see docs/neural.md.
// usage: dotnet run -c Release --project bench/ReleaseGateway.Synthesis.Neural.Bench -- [--data DIR]
//        [--tables a,b] [--epsilons 1,3] [--seeds 1,2,3] [--methods made,aim] [--out results.csv] [--timing]
//        or -- --stress THREADS [--runs N] [--gc-pressure]   (concurrent short trainings; exit 1 if any failed)
var options = ParseArguments(args);
string data = options.GetValueOrDefault("data", "../shared/data");
string output = options.GetValueOrDefault("out", "neural-bench.csv");
if (options.ContainsKey("timing"))
{
    Timing(options);
    return 0;
}

if (options.ContainsKey("stress"))
{
    return Stress(options);
}

string[] tables = options.GetValueOrDefault("tables", "nwtco,colon,mgus2,pbcseq,pima,breastcancer_wisc,gbsg,cgd,pima-raw").Split(',');
double[] epsilons = options.GetValueOrDefault("epsilons", "1,3").Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
long[] seeds = options.GetValueOrDefault("seeds", "1,2,3").Split(',').Select(long.Parse).ToArray();
string[] methods = options.GetValueOrDefault("methods", "made,aim").Split(',');
var targets = new Dictionary<string, string>
{
    ["nwtco"] = "rel", ["colon"] = "status", ["mgus2"] = "death", ["pbcseq"] = "status", ["pima"] = "diabetes",
    ["breastcancer_wisc"] = "Class", ["gbsg"] = "status", ["cgd"] = "status", ["pima-raw"] = "diabetes",
};

bool header = !File.Exists(output);
using var writer = new StreamWriter(output, append: true);
if (header)
{
    writer.WriteLine("table,rows,columns,method,epsilon,seed,tvd1,tvd2,tvd3,tstr_lr,tstr_rf,real_lr,real_rf,wall_s,sigma,steps");
}

foreach (string name in tables)
{
    (EncodedTable full, DatasetSchema schema) = Load(data, name);
    // Synthesizers see 80% of the rows; the 20% holdout is only for TSTR (same split for every method).
    SplitIndices split = HoldoutSplit.Split(full.RowCount, 0.2, 0);
    EncodedTable train = Subset(full, split.Train), holdout = Subset(full, split.Holdout);
    int target = train.IndexOf(targets[name]);
    foreach (double epsilon in epsilons)
    {
        foreach (long seed in seeds)
        {
            foreach (string method in methods)
            {
                var clock = Stopwatch.StartNew();
                EncodedTable synthetic;
                double sigma = double.NaN;
                int steps = 0;
                if (method == GeneratorCatalog.Made.Name)
                {
                    NeuralSynthesisResult result = NeuralSynthesizer.Run(train, Tuned(new NeuralSynthesisOptions { Epsilon = epsilon, Seed = seed, Rows = train.RowCount }));
                    (synthetic, sigma, steps) = (result.Table, result.NoiseMultiplier, result.Steps);
                }
                else
                {
                    var synthesisMethod = MarginalGenerators.MethodOf(GeneratorCatalog.Get(method));
                    synthetic = Synthesizer.Run(new TableMarginalSource(train), new SynthesisOptions { Method = synthesisMethod, Epsilon = epsilon, Seed = seed, Rows = train.RowCount }).Table;
                }

                double wall = clock.Elapsed.TotalSeconds;
                double[] tvd = [.. new[] { 1, 2, 3 }.Select(k => WorkloadError.MeanTvd(train, synthetic, k, 300, 0))];
                TstrResult tstr = ModelUtility.Tstr(ToEval(train), ToEval(holdout), ToEval(synthetic), target,
                    Enumerable.Range(0, train.ColumnCount).Where(j => j != target).ToArray(), 5000, new SeededRandomSource(seed), CancellationToken.None);
                string line = string.Join(",", name, train.RowCount, train.ColumnCount, method, F(epsilon), seed, F(tvd[0]), F(tvd[1]), F(tvd[2]),
                    F(tstr.Scores[0].SyntheticScore), F(tstr.Scores[1].SyntheticScore), F(tstr.Scores[0].RealScore), F(tstr.Scores[1].RealScore), F(wall), F(sigma), steps);
                writer.WriteLine(line);
                writer.Flush();
                Console.WriteLine(line);
            }
        }
    }
}

return 0;

NeuralSynthesisOptions Tuned(NeuralSynthesisOptions o)
{
    double Get(string key, double fallback) => options.TryGetValue(key, out string? v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
    return o with
    {
        Epochs = Get("epochs", o.Epochs), LearningRate = Get("lr", o.LearningRate), MarginalShare = Get("mshare", o.MarginalShare),
        BatchFraction = Get("batch", o.BatchFraction), Hidden = (int)Get("hidden", o.Hidden), ClipNorm = Get("clip", o.ClipNorm),
    };
}

static string F(double value) => value.ToString("G5", CultureInfo.InvariantCulture);

static (EncodedTable, DatasetSchema) Load(string data, string name)
{
    if (name.EndsWith("-raw", StringComparison.Ordinal))
    {
        string stem = name[..^4];
        DatasetSchema raw = DatasetSchema.Load(Path.Combine(AppContext.BaseDirectory, "schemas", stem + ".schema.json"));
        return (CsvTableReader.Read(Path.Combine(data, stem + ".csv"), raw), raw);
    }

    DatasetSchema schema = DatasetSchema.Load(Path.Combine(data, name + "-domain.json"));
    return (CsvTableReader.Read(Path.Combine(data, name + "-disc.csv"), schema), schema);
}

static EncodedTable Subset(EncodedTable table, int[] rows) =>
    new(table.ColumnNames, table.DomainSizes, Enumerable.Range(0, table.ColumnCount).Select(j => rows.Select(r => table.Column(j)[r]).ToArray()).ToArray());

static EvalTable ToEval(EncodedTable table) =>
    new(Enumerable.Range(0, table.ColumnCount).Select(j => EvalColumn.Categorical(
        new ColumnSpec(table.ColumnNames[j], ValueKind.Categorical, AttackRole.None, Enumerable.Range(0, table.DomainSizes[j]).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray()),
        table.Column(j).ToArray())).ToArray());

static void Timing(Dictionary<string, string> options)
{
    // A generated 10,000-row, 20-column table with dependent columns (each column a noisy function of
    // the previous one), domains of 2..32 codes: the size the issue's 5-minute bar names.
    const int rows = 10_000, columns = 20;
    var random = new SeededRandomSource(42);
    int[] sizes = Enumerable.Range(0, columns).Select(j => j % 4 == 0 ? 2 : j % 4 == 1 ? 8 : j % 4 == 2 ? 16 : 32).ToArray();
    var codes = sizes.Select(_ => new int[rows]).ToArray();
    for (int i = 0; i < rows; i++)
    {
        for (int j = 0; j < columns; j++)
        {
            int previous = j == 0 ? 0 : codes[j - 1][i];
            codes[j][i] = random.NextDouble() < 0.6 ? previous * sizes[j] / (j == 0 ? 1 : sizes[j - 1]) % sizes[j] : random.NextInt(sizes[j]);
        }
    }

    var table = new EncodedTable(Enumerable.Range(0, columns).Select(j => $"c{j}").ToArray(), sizes, codes);
    double epsilon = double.Parse(options.GetValueOrDefault("epsilons", "1").Split(',')[0], CultureInfo.InvariantCulture);
    var clock = Stopwatch.StartNew();
    // Threads: the generator's default (1) unless --threads N, or --threads torch for Torch's own default (OpenMP, one per core).
    var settings = new NeuralSynthesisOptions { Epsilon = epsilon, Seed = 1, Epochs = options.TryGetValue("epochs", out string? e) ? double.Parse(e, CultureInfo.InvariantCulture) : 20 };
    if (options.TryGetValue("threads", out string? t))
    {
        settings = settings with { Threads = t == "torch" ? null : int.Parse(t, CultureInfo.InvariantCulture) };
    }

    NeuralSynthesisResult result = NeuralSynthesizer.Run(table, settings,
        new Progress<NeuralTrainingProgress>(p => Console.WriteLine($"epoch {p.Epoch:F1} step {p.Step}/{p.Steps} loss {p.Loss:F3} eps {p.EpsilonSpent:F3} clipped {p.ClippedFraction:P0}")));
    Console.WriteLine($"10000 x 20 at epsilon {epsilon}: {clock.Elapsed.TotalSeconds:F1} s wall, {settings.Threads?.ToString(CultureInfo.InvariantCulture) ?? "torch default"} threads, {result.Steps} steps, q {result.SamplingRate:G3}, sigma {result.NoiseMultiplier:G4}, {result.Parameters} parameters, " +
        $"tvd2 {WorkloadError.MeanTvd(table, result.Table, 2, 300, 0):F4}");
}

static int Stress(Dictionary<string, string> options)
{
    // Short trainings (2,000 x 6 random codes, 3 epochs: ~50 steps) on THREADS threads at once; with
    // --gc-pressure another thread forces collections and finalizers all the time, which is what made the
    // finalizer-freed native objects fail (docs/neural.md, "Native object lifetimes").
    int threads = int.Parse(options["stress"], CultureInfo.InvariantCulture);
    int runs = int.Parse(options.GetValueOrDefault("runs", "50"), CultureInfo.InvariantCulture);
    int[] sizes = [2, 5, 8, 3, 12, 4];
    var random = new SeededRandomSource(17);
    var table = new EncodedTable(sizes.Select((_, j) => $"c{j}").ToArray(), sizes,
        sizes.Select(k => Enumerable.Range(0, 2000).Select(_ => random.NextInt(k)).ToArray()).ToArray());
    var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
    int succeeded = 0;
    using var done = new CancellationTokenSource();
    var pressure = new Thread(() =>
    {
        while (!done.IsCancellationRequested)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }) { IsBackground = true };
    if (options.ContainsKey("gc-pressure"))
    {
        pressure.Start();
    }

    var clock = Stopwatch.StartNew();
    var workers = Enumerable.Range(0, threads).Select(w => new Thread(() =>
    {
        for (int run = 0; run < runs; run++)
        {
            try
            {
                NeuralSynthesizer.Run(table, new NeuralSynthesisOptions { Epsilon = 1, Seed = w * 100_000 + run, Epochs = 3, Hidden = 32, Rows = 500 });
                Interlocked.Increment(ref succeeded);
            }
            catch (Exception e)
            {
                failures.Enqueue($"{e.GetType().Name}: {e.Message.Split('\n')[0]}");
            }
        }
    })).ToArray();
    foreach (Thread worker in workers)
    {
        worker.Start();
    }

    foreach (Thread worker in workers)
    {
        worker.Join();
    }

    done.Cancel();
    Console.WriteLine($"stress: {threads} threads x {runs} runs, gc pressure {options.ContainsKey("gc-pressure")}: {succeeded} succeeded, {failures.Count} failed, {clock.Elapsed.TotalSeconds:F1} s");
    foreach (var group in failures.GroupBy(f => f).OrderByDescending(g => g.Count()))
    {
        Console.WriteLine($"  {group.Count()} x {group.Key}");
    }

    return failures.IsEmpty ? 0 : 1;
}

static Dictionary<string, string> ParseArguments(string[] args)
{
    var result = new Dictionary<string, string>(StringComparer.Ordinal);
    for (int i = 0; i < args.Length; i++)
    {
        if (args[i].StartsWith("--", StringComparison.Ordinal))
        {
            bool hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            result[args[i][2..]] = hasValue ? args[++i] : "true";
        }
    }

    return result;
}
