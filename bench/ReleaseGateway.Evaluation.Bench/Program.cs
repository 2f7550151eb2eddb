using ReleaseGateway.Privacy.Randomness;
using System.Diagnostics;
using System.Globalization;
using ReleaseGateway.Evaluation;
using ReleaseGateway.Evaluation.Attacks;
using ReleaseGateway.Evaluation.Bench;
using ReleaseGateway.Evaluation.Gates;
using ReleaseGateway.Evaluation.Protocol;
using ReleaseGateway.Evaluation.Tables;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Synthesis.Marginals;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Synthesis.Synthesizers;

// Timing and calibration runs for the evaluation module (docs/evaluation.md records the figures).
//   battery     whole battery without shadow models, 50,000 × 15 generated table (budget ≤ 60 s)
//   anonymeter  Anonymeter-equivalent work on a 14,000 × 7 table (reference: 7 s and 33 s in Python)
//   shadow      shadow-model cost per run and per target, MST ε = 1 on a shared table
//   calibrate   gates on the shared tables for a copy, independent marginals, MST and AIM ε = 1 releases and a
//               leaky one (MST with 10 % of its rows replaced by training records)
//   attacks     TPR at 1 % and 0.1 % FPR of the generator-aware attacks (marginal ratio, reconstruction as a membership
//               score) beside the distance attack, against MST ε = 1, 10, 100 releases, a 10 %-copied and a full copy
//   spread      how often correct releases fail each gate by chance: AIM ε = 1 releases of one shared table, each
//               with its own split, noise and attack seeds, as the pipeline makes them (rows, shadow-model k and R given)
var mode = args.Length > 0 ? args[0] : "battery";
var dataDir = args.Length > 1 ? args[1] : ReleaseGateway.Testing.RepositoryPaths.SharedData;
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
Console.WriteLine($"mode {mode}, {Environment.ProcessorCount} cores, {DateTime.UtcNow:u}");
switch (mode)
{
    case "battery":
        await Battery();
        break;
    case "anonymeter":
        Anonymeter();
        break;
    case "shadow":
        Shadow(dataDir, args.Length > 2 ? args[2] : "nwtco");
        break;
    case "calibrate":
        await Calibrate(dataDir, args.Length > 2 ? args[2].Split(',') : ["nwtco", "colon", "mgus2", "pbcseq", "pima", "breastcancer_wisc", "gbsg", "cgd"]);
        break;
    case "attacks":
        Attacks(dataDir, args.Length > 2 ? args[2].Split(',') : ["dmlate", "nwtco", "pbcseq", "colon", "mgus2", "pima"]);
        break;
    case "spread":
        await Spread(dataDir, args.Length > 2 ? args[2] : "gbsg", Arg(3, 40), Arg(4, 200), new ShadowModelSettings(Arg(5, 3), Arg(6, 10)));
        break;
    default:
        Console.Error.WriteLine("usage: bench battery|anonymeter|shadow [DATA_DIR] [TABLE]|calibrate [DATA_DIR] [TABLES]|spread [DATA_DIR] [TABLE] [RUNS] [ROWS] [K] [R]");
        return 2;
}

return 0;

int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;

static async Task Battery()
{
    var table = GeneratedTables.Wide(50_000, 1);
    var split = HoldoutSplit.Split(table.RowCount, 0.2, 1);
    var train = table.Select(split.Train);
    var holdout = table.Select(split.Holdout);
    var synthetic = IndependentMarginals.Sample(train, train.RowCount, new SeededRandomSource(2));
    var watch = Stopwatch.StartNew();
    var stages = new List<(string Stage, double Seconds, double Cpu)>();
    var last = TimeSpan.Zero;
    var lastCpu = Cpu();
    string? current = null;
    var progress = new SynchronousProgress(p =>
    {
        if (current is not null)
        {
            stages.Add((current, (watch.Elapsed - last).TotalSeconds, Cpu() - lastCpu));
        }

        current = p.Stage;
        last = watch.Elapsed;
        lastCpu = Cpu();
    });
    var report = await Evaluator.RunAsync(new EvaluationInput { Train = train, Holdout = holdout, Synthetic = synthetic, ClaimedEpsilon = 1, Seed = 1 }, default, progress);
    stages.Add((current!, (watch.Elapsed - last).TotalSeconds, Cpu() - lastCpu));
    Console.WriteLine($"battery: train {train.RowCount} × {train.Columns.Count}, holdout {holdout.RowCount}, synthetic {synthetic.RowCount}: {watch.Elapsed.TotalSeconds:0.0} s wall, {Cpu():0.0} s CPU (process), passed={report.Passed}, errors={report.Errors.Count}");
    Console.WriteLine($"  {"stage",-40} {"wall s",8} {"CPU s",8}");
    foreach (var (stage, seconds, cpu) in stages)
    {
        Console.WriteLine($"  {stage,-40} {seconds,8:0.00} {cpu,8:0.00}");
    }
}

static void Anonymeter()
{
    var table = GeneratedTables.Clinical(17_500, 3);
    var split = HoldoutSplit.Split(table.RowCount, 0.2, 3);
    var train = table.Select(split.Train);
    var holdout = table.Select(split.Holdout);
    var synthetic = IndependentMarginals.Sample(train, train.RowCount, new SeededRandomSource(4));
    var data = new AttackData(train, holdout, synthetic);
    var all = Enumerable.Range(0, 7).ToArray();
    var process = Stopwatch.StartNew();
    var cpu0 = Cpu();
    var watch = Stopwatch.StartNew();
    var uni = SinglingOut.Univariate(data, all, 500, new SeededRandomSource(1), default);
    var (tUni, cUni) = (watch.Elapsed.TotalSeconds, Cpu() - cpu0);
    watch.Restart();
    var cpu1 = Cpu();
    var link = Linkability.Run(data, [0, 1, 2], [3, 4, 5], 2000, 10, new SeededRandomSource(2), default);
    var (tLink, cLink) = (watch.Elapsed.TotalSeconds, Cpu() - cpu1);
    watch.Restart();
    var cpu2 = Cpu();
    var inf1 = AttributeInference.Run(data, [0, 1, 2, 3, 5, 6], 4, 1000, new SeededRandomSource(3), default);
    var inf2 = AttributeInference.Run(data, [0, 1, 2, 3, 4, 5], 6, 1000, new SeededRandomSource(4), default);
    var (tInf, cInf) = (watch.Elapsed.TotalSeconds, Cpu() - cpu2);
    var first = process.Elapsed.TotalSeconds;
    var firstCpu = Cpu() - cpu0;
    watch.Restart();
    var cpu3 = Cpu();
    var multi = SinglingOut.Multivariate(data, all, 500, 3, 1_000_000, new SeededRandomSource(5), default);
    var (tMulti, cMulti) = (watch.Elapsed.TotalSeconds, Cpu() - cpu3);
    Console.WriteLine($"anonymeter-equivalent on train {train.RowCount} × 7, control {holdout.RowCount}, synthetic {synthetic.RowCount} (wall s / CPU s):");
    Console.WriteLine($"  univariate singling out (500): {tUni:0.000} / {cUni:0.000} (risk {uni.Risk.Value:0.000}, {uni.Generated} queries)");
    Console.WriteLine($"  linkability (2000, 10 neighbours): {tLink:0.000} / {cLink:0.000} (risk {link.Risk.Value:0.000})");
    Console.WriteLine($"  inference on 2 secrets (1000 each, NN + model): {tInf:0.000} / {cInf:0.000} (risks {inf1.NearestNeighbour.Value:0.000}, {inf2.NearestNeighbour.Value:0.000})");
    Console.WriteLine($"  first group (reference 7 s): {first:0.000} / {firstCpu:0.000} → {7 / first:0.0}× faster by wall time");
    Console.WriteLine($"  multivariate singling out (500): {tMulti:0.000} / {cMulti:0.000} (reference 33 s → {33 / tMulti:0.0}× faster; risk {multi.Risk.Value:0.000}, {multi.Generated} queries)");
    Console.WriteLine($"  process CPU time so far: {Cpu():0.00} s");
}

static void Shadow(string dataDir, string name)
{
    var (coding, table) = LoadShared(Path.Combine(dataDir, name));
    var split = HoldoutSplit.Split(table.RowCount, 0.2, 1);
    var train = table.Select(split.Train);
    var holdout = table.Select(split.Holdout);
    var generator = MarginalSynthesizerGenerator.Create(coding, SynthesisMethod.Mst, 1.0, 1e-9);
    var synthetic = generator(train, 1, default);
    var data = new AttackData(train, holdout, synthetic);
    var result = ShadowModelAttack.Run(data, generator, new ShadowModelOptions(Targets: 2, Runs: 6, DatasetSize: 1000), 1e-9, new SeededRandomSource(1), default);
    Console.WriteLine($"shadow models ({name}, MST ε=1, k=2, R=6, shadow datasets of {Math.Min(1000, holdout.RowCount)} rows): {result.GeneratorRuns} generator runs, {result.SecondsPerShadowRun:0.00} s per shadow run, {result.SecondsPerTarget:0.0} s per target, {result.TotalSeconds:0.0} s total, {Cpu():0.0} s process CPU");
    Console.WriteLine($"  pooled AUC {result.Pooled.Auc:0.000}, per-target AUC {string.Join(", ", result.Targets.Select(t => t.Auc.ToString("0.000")))}");
}

static async Task Calibrate(string dataDir, string[] names)
{
    Console.WriteLine("| table | release | MIA TPR@1% (attack) | AUC dist | ε lower | attr. risk | SO risk | link risk | tvd2 | TSTR ratio | passed | s |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
    foreach (var name in names)
    {
        var (coding, table) = LoadShared(Path.Combine(dataDir, name));
        var split = HoldoutSplit.Split(table.RowCount, 0.2, 1);
        var train = table.Select(split.Train);
        var holdout = table.Select(split.Holdout);
        var mst = MarginalSynthesizerGenerator.Create(coding, SynthesisMethod.Mst, 1.0, 1e-9);
        var aim = MarginalSynthesizerGenerator.Create(coding, SynthesisMethod.Aim, 1.0, 1e-9);
        var releases = new (string Name, Func<EvalTable> Make)[]
        {
            ("copy", () => train),
            ("independent", () => IndependentMarginals.Sample(train, train.RowCount, new SeededRandomSource(5))),
            ("MST ε=1", () => mst(train, 5, default)),
            ("AIM ε=1", () => aim(train, 5, default)),
            ("leaky: MST ε=1, 10 % copied", () => Leak(mst(train, 5, default), train, 0.1, new SeededRandomSource(6))),
        };
        foreach (var (release, make) in releases)
        {
            var synthetic = make();
            var watch = Stopwatch.StartNew();
            var r = await Evaluator.RunAsync(new EvaluationInput { Train = train, Holdout = holdout, Synthetic = synthetic, ClaimedEpsilon = 1, Seed = 1 });
            string V(string gate) => r.Gates.First(g => g.Name == gate).Value is { } v ? v.ToString("0.000") : "—";
            var worstMia = r.Privacy.Membership.MaxBy(m => m.TprAt1PctFpr);
            var dist = r.Privacy.Membership.FirstOrDefault(m => m.Attack == "distance");
            foreach (var failed in r.Gates.Where(g => g.Status == GateStatus.Fail))
            {
                Console.Error.WriteLine($"{name} / {release}: {failed.Name}: {failed.Detail}");
            }

            Console.WriteLine($"| {name} | {release} | {V("maxMembershipTprAt1PctFpr")} ({worstMia?.Attack}) | {dist?.Auc:0.000} | {r.Privacy.EmpiricalEpsilon:0.00} | {V("maxAttributeInferenceRisk")} | {V("maxSinglingOutRisk")} | {V("maxLinkabilityRisk")} | {V("maxTvd2")} | {V("minTstrRatio")} | {(r.Passed ? "yes" : "no: " + string.Join(", ", r.Gates.Where(g => g.Status == GateStatus.Fail).Select(g => g.Name)))} | {watch.Elapsed.TotalSeconds:0} |");
        }
    }
}

static async Task Spread(string dataDir, string name, int runs, int rows, ShadowModelSettings shadow)
{
    const double epsilon = 1.0, delta = 1e-6;
    var (coding, table) = LoadShared(Path.Combine(dataDir, name));
    var generator = MarginalSynthesizerGenerator.Create(coding, SynthesisMethod.Aim, epsilon, delta);
    var thresholds = new GateThresholds();
    var values = new Dictionary<string, List<double>>();
    var limits = new Dictionary<string, double?>();
    var failures = new Dictionary<string, int>();
    Console.WriteLine($"{name}: {runs} AIM ε = {epsilon} releases of {rows} rows, shadow model k = {shadow.ShadowTargets}, R = {shadow.ShadowRuns}, default gates");
    for (var run = 0; run < runs; run++)
    {
        var split = HoldoutSplit.Split(table.RowCount, HoldoutSplit.DefaultHoldoutFraction, 1000 + run);
        var train = table.Select(split.Train);
        var options = new SynthesisOptions { Method = SynthesisMethod.Aim, Epsilon = epsilon, Delta = delta, Rows = rows, Seed = 2000 + run };
        var synthetic = coding.ToEval(Synthesizer.Run(new TableMarginalSource(coding.ToEncoded(train)), options).Table);
        var r = await Evaluator.RunAsync(new EvaluationInput
        {
            Train = train, Holdout = table.Select(split.Holdout), Synthetic = synthetic, ClaimedEpsilon = epsilon, Delta = delta,
            Thresholds = thresholds, ShadowModel = shadow, Generator = generator, Seed = 3000 + run,
        });
        foreach (var gate in r.Gates)
        {
            values.TryAdd(gate.Name, []);
            limits[gate.Name] = gate.Threshold;
            values[gate.Name].Add(gate.Value ?? double.NaN);
            if (gate.Status == GateStatus.Fail)
            {
                failures[gate.Name] = failures.GetValueOrDefault(gate.Name) + 1;
                Console.Error.WriteLine($"run {run}: {gate.Name}: {gate.Detail}");
            }
        }
    }

    Console.WriteLine("| gate | threshold | failed | min | 5th percentile | median | 95th percentile | max |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|");
    foreach (var (gate, list) in values)
    {
        var sorted = list.Where(v => !double.IsNaN(v)).Order().ToArray();
        double Q(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Floor(q * sorted.Length))];
        Console.WriteLine($"| {gate} | {limits[gate]} | {failures.GetValueOrDefault(gate)} of {runs} | {(sorted.Length == 0 ? double.NaN : sorted[0]):0.000} | {Q(0.05):0.000} | {Q(0.5):0.000} | {Q(0.95):0.000} | {(sorted.Length == 0 ? double.NaN : sorted[^1]):0.000} |");
    }
}

static void Attacks(string dataDir, string[] names)
{
    Console.WriteLine("| table | rows train/holdout | release | distance TPR@1% / @0.1% (AUC) | marginal-ratio, cliques | marginal-ratio, cliques + record | reconstruction as MIA | reconstruction acc. train / holdout / majority (risk) | s |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
    foreach (var name in names)
    {
        var (coding, table) = LoadShared(Path.Combine(dataDir, name));
        var split = HoldoutSplit.Split(table.RowCount, 0.2, 1);
        var train = table.Select(split.Train);
        var holdout = table.Select(split.Holdout);
        (EvalTable Table, List<MeasuredMarginal> Cliques) Mst(double epsilon)
        {
            var options = new SynthesisOptions { Method = SynthesisMethod.Mst, Epsilon = epsilon, Delta = 1e-9, Rows = train.RowCount, Seed = 5 };
            var result = Synthesizer.Run(new TableMarginalSource(coding.ToEncoded(train)), options);
            var cliques = result.Measurements.Select(m => new MeasuredMarginal(m.Attributes.Select(a => result.Table.ColumnNames[a]).ToArray(), Math.Sqrt(1 / m.Weights.Max()))).ToList();
            return (coding.ToEval(result.Table), cliques);
        }

        var (one, ten, hundred) = (Mst(1), Mst(10), Mst(100));
        var releases = new (string Name, EvalTable Table, List<MeasuredMarginal> Cliques)[]
        {
            ("MST ε=1", one.Table, one.Cliques),
            ("MST ε=10", ten.Table, ten.Cliques),
            ("MST ε=100", hundred.Table, hundred.Cliques),
            ("MST ε=1, 10 % copied", Leak(one.Table, train, 0.1, new SeededRandomSource(6)), one.Cliques),
            ("copy", train, []),
        };
        var secret = train.Columns.Count - 1;
        var quasi = Enumerable.Range(0, secret).ToArray();
        foreach (var (release, synthetic, cliques) in releases)
        {
            var watch = Stopwatch.StartNew();
            var data = new AttackData(train, holdout, synthetic);
            var distance = MembershipInference.DistanceToClosestRecord(data, 3000, 1e-9, new SeededRandomSource(1), default);
            var marginal = MarginalMembership.Run(data, cliques, 3000, 1e-9, new SeededRandomSource(8), default, wholeRecord: false);
            var whole = MarginalMembership.Run(data, cliques, 3000, 1e-9, new SeededRandomSource(8), default);
            var rec = LinearReconstruction.Run(data, quasi, secret, 3000, 1e-9, new SeededRandomSource(9), default);
            static string T(MembershipAttackResult m) => $"{m.TprAt1PctFpr:0.000} / {m.TprAt01PctFpr:0.000} ({m.Auc:0.00})";
            Console.WriteLine($"| {name} | {train.RowCount}/{holdout.RowCount} | {release} | {T(distance)} | {T(marginal)} | {T(whole)} | {T(rec.Membership)} | {rec.Accuracy.Value:0.000} / {rec.ControlAccuracy.Value:0.000} / {rec.BaselineAccuracy.Value:0.000} ({rec.Risk.Value:0.000}, {rec.Risk.Lower:0.000}–{rec.Risk.Upper:0.000}) | {watch.Elapsed.TotalSeconds:0.0} |");
        }
    }
}

// A leaky release: the synthetic table with a fraction of its rows replaced by training records verbatim.
static EvalTable Leak(EvalTable synthetic, EvalTable train, double fraction, IRandomSource random)
{
    var copied = (int)(synthetic.RowCount * fraction);
    var rows = Enumerable.Range(0, synthetic.RowCount).ToArray();
    var picks = Enumerable.Range(0, copied).Select(_ => random.NextInt(train.RowCount)).ToArray();
    var columns = synthetic.Columns.Select((column, c) =>
    {
        var source = train.Columns[c];
        return column.Kind == ValueKind.Categorical
            ? EvalColumn.Categorical(column.Spec, rows.Select(r => r < copied ? source.Codes[picks[r]] : column.Codes[r]).ToArray())
            : EvalColumn.Numeric(column.Spec, rows.Select(r => r < copied ? source.Values[picks[r]] : column.Values[r]).ToArray());
    }).ToArray();
    return new EvalTable(columns);
}

// CPU seconds of this process: on a machine shared with other jobs, wall time overstates the cost.
static double Cpu() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

static (SchemaCoding Coding, EvalTable Table) LoadShared(string stem)
{
    var schema = DatasetSchema.Load(stem + "-domain.json");
    var coding = new SchemaCoding(schema);
    return (coding, coding.ToEval(CsvTableReader.Read(stem + "-disc.csv", schema)));
}

/// <summary>Reports progress on the calling thread (Progress&lt;T&gt; would post to the thread pool and blur the timings).</summary>
internal sealed class SynchronousProgress(Action<EvaluationProgress> handler) : IProgress<EvaluationProgress>
{
    public void Report(EvaluationProgress value) => handler(value);
}
