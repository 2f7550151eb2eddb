using System.CommandLine;
using System.Globalization;
using ReleaseGateway.Evaluation;
using ReleaseGateway.Evaluation.Attacks;
using ReleaseGateway.Evaluation.Gates;
using ReleaseGateway.Evaluation.Protocol;
using ReleaseGateway.Evaluation.Reports;
using ReleaseGateway.Evaluation.Tables;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Datasets.Generators;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Releases.Generators;

namespace ReleaseGateway.Cli;

/// <summary>
/// <c>rgw evaluate</c> (attacks, fidelity, gates; exit 0 = every gate passes, 3 = a gate fails, 2 = bad input)
/// and <c>rgw split</c> (seeded training/holdout split of a CSV file).
/// </summary>
internal static class EvaluateCommands
{
    private const int BadInput = 2;
    private const int GateFailed = 3;

    public static Command Create()
    {
        var train = new Option<FileInfo>("--train") { Description = "Training CSV (the only data the synthesizer saw)", Required = true };
        var holdout = new Option<FileInfo>("--holdout") { Description = "Holdout CSV (never seen by the synthesizer)", Required = true };
        var synthetic = new Option<FileInfo>("--synthetic") { Description = "Synthetic CSV to evaluate", Required = true };
        var schema = new Option<FileInfo>("--schema") { Description = "Dataset schema JSON (full format or private-pgm domain shorthand)", Required = true };
        var policy = new Option<FileInfo>("--policy") { Description = "Dataset policy YAML; its gates: and shadowModel: sections are used (default thresholds otherwise)" };
        var epsilon = new Option<double?>("--epsilon") { Description = "ε the release claims (enables the empirical-ε gate)" };
        var delta = new Option<double>("--delta") { Description = "δ the release claims", DefaultValueFactory = _ => 1e-9 };
        var target = new Option<string>("--target") { Description = "TSTR target column (default: the schema's target, else the last column)" };
        var report = new Option<FileInfo>("--report") { Description = "Where to write the JSON report", Required = true };
        var html = new Option<FileInfo>("--html") { Description = "Where to write the HTML report" };
        var seed = new Option<int>("--seed") { Description = "Seed of every random choice", DefaultValueFactory = _ => 0 };
        var shadowMethod = new Option<string>("--shadow-method")
        {
            Description = "Run the shadow-model attack by retraining this generator with --epsilon: "
                + string.Join(", ", GeneratorRegistry.Default.Entries.Where(e => e.Descriptor.HasShadowModel).Select(e => e.Name))
                + string.Concat(GeneratorCatalog.All.Where(g => !g.HasShadowModel).Select(g => $" ({g.Name} has none: {g.NoShadowModelReason})")),
        };
        var timeout = new Option<double>("--timeout") { Description = "Minutes before unfinished evaluators fail closed", DefaultValueFactory = _ => 30 };
        var command = new Command("evaluate", "Attack a synthetic release, measure its fidelity and apply the release gates")
        {
            train, holdout, synthetic, schema, policy, epsilon, delta, target, report, html, seed, shadowMethod, timeout,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            EvaluationInput input;
            try
            {
                var datasetSchema = DatasetSchema.Load(parse.GetValue(schema)!.FullName);
                var coding = new SchemaCoding(datasetSchema);
                var evaluationPolicy = parse.GetValue(policy) is { } policyFile
                    ? PolicyLoader.Load(policyFile.FullName)
                    : new EvaluationPolicy(new GateThresholds(), new ShadowModelSettings());
                var claimed = parse.GetValue(epsilon);
                var method = parse.GetValue(shadowMethod);
                SyntheticGenerator? generator = null;
                if (method is not null)
                {
                    if (claimed is null)
                    {
                        throw new ArgumentException("--shadow-method needs --epsilon: shadow models must be trained with the release's ε.");
                    }

                    var entry = GeneratorCatalog.IsKnown(method.ToLowerInvariant())
                        ? GeneratorRegistry.Default.Get(method.ToLowerInvariant())
                        : throw new ArgumentException($"--shadow-method: {new UnknownGeneratorException(method).Message}");
                    generator = entry.CreateShadowModel(coding, claimed.Value, parse.GetValue(delta))
                        ?? throw new ArgumentException($"--shadow-method: {entry.Name} has no shadow model ({entry.Descriptor.NoShadowModelReason}).");
                }

                input = new EvaluationInput
                {
                    Train = Read(parse.GetValue(train)!, datasetSchema, coding),
                    Holdout = Read(parse.GetValue(holdout)!, datasetSchema, coding),
                    Synthetic = Read(parse.GetValue(synthetic)!, datasetSchema, coding),
                    ClaimedEpsilon = claimed,
                    Delta = parse.GetValue(delta),
                    Thresholds = evaluationPolicy.Thresholds,
                    ShadowModel = evaluationPolicy.ShadowModel,
                    Generator = generator,
                    Seed = parse.GetValue(seed),
                    Target = parse.GetValue(target),
                    Timeout = TimeSpan.FromMinutes(parse.GetValue(timeout)),
                    ProtectedAttributes = datasetSchema.ProtectedAttributes,
                };
            }
            catch (Exception e) when (e is SchemaException or CsvValidationException or PolicyException or IOException or ArgumentException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"rgw evaluate: {e.Message}");
                return BadInput;
            }

            EvaluationReport result;
            try
            {
                var progress = new Progress<EvaluationProgress>(p => Console.Error.WriteLine($"[{p.Completed + 1}/{p.Total}] {p.Stage}"));
                result = await Evaluator.RunAsync(input, cancellationToken, progress);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"rgw evaluate: {e.Message}");
                return BadInput;
            }

            await File.WriteAllTextAsync(parse.GetValue(report)!.FullName, ReportJson.Serialize(result), cancellationToken);
            if (parse.GetValue(html) is { } htmlFile)
            {
                await File.WriteAllTextAsync(htmlFile.FullName, HtmlReport.Render(result), cancellationToken);
            }

            foreach (var gate in result.Gates)
            {
                var value = gate.Value is { } v ? v.ToString("0.####", CultureInfo.InvariantCulture) : "—";
                Console.WriteLine($"{gate.Status,-13} {gate.Name,-28} {value,8} {gate.Comparison} {gate.Threshold.ToString(CultureInfo.InvariantCulture),-6} {gate.Detail}");
            }

            foreach (var error in result.Errors)
            {
                Console.WriteLine($"ERROR         {error.Evaluator}: {error.Message}");
            }

            Console.WriteLine(result.Passed ? "PASSED" : "FAILED");
            return result.Passed ? 0 : GateFailed;
        });
        return command;
    }

    public static Command CreateSplit()
    {
        var input = new Option<FileInfo>("--input") { Description = "CSV file to split", Required = true };
        var fraction = new Option<double>("--holdout") { Description = "Each record's (or person's) probability of being held out, in [0, 1)", DefaultValueFactory = _ => HoldoutSplit.DefaultHoldoutFraction };
        var seed = new Option<long?>("--seed") { Description = "Public seed for a reproducible split: for research on non-sensitive data only (it voids the privacy guarantee)" };
        var personKey = new Option<string?>("--person-key") { Description = "Column naming each record's person: a person's records stay on one side" };
        var train = new Option<FileInfo>("--train") { Description = "Output: training CSV", Required = true };
        var holdout = new Option<FileInfo>("--holdout-out") { Description = "Output: holdout CSV", Required = true };
        var command = new Command("split", "Split a CSV file into training and holdout parts by secret per-record (or per-person) coins (Poisson split)")
        {
            input, fraction, seed, personKey, train, holdout,
        };
        command.SetAction(parse =>
        {
            try
            {
                // Default: the coins' key is fresh and discarded, so nobody can tell which side a record went to (ADR 0023).
                var publicSeed = parse.GetValue(seed);
                var coin = publicSeed is long s ? KeyedCoin.FromPublicSeed(s, RandomPurpose.Split) : new KeyedCoin(SecretStreams.NewKey(), RandomPurpose.Split);
                if (publicSeed is not null)
                    Console.Error.WriteLine("rgw split: warning: --seed makes the split reproducible by anyone who knows the seed; this voids the privacy guarantee. Use it only for research on non-sensitive data.");
                using var reader = new StreamReader(parse.GetValue(input)!.FullName);
                using var trainWriter = new StreamWriter(parse.GetValue(train)!.FullName);
                using var holdoutWriter = new StreamWriter(parse.GetValue(holdout)!.FullName);
                var result = CsvSplit.Split(reader, trainWriter, holdoutWriter, parse.GetValue(fraction), coin, parse.GetValue(personKey));
                Console.WriteLine($"train {result.Train} rows, holdout {result.Holdout} rows, " +
                    (publicSeed is long p ? $"public seed {p} (not private)" : "secret coins (key discarded: the split cannot be reproduced)"));
                return 0;
            }
            catch (Exception e) when (e is IOException or FormatException or ArgumentException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"rgw split: {e.Message}");
                return BadInput;
            }
        });
        return command;
    }

    private static EvalTable Read(FileInfo file, DatasetSchema schema, SchemaCoding coding)
    {
        try
        {
            return coding.ToEval(CsvTableReader.Read(file.FullName, schema));
        }
        catch (CsvValidationException e)
        {
            throw new ArgumentException($"{file.Name}: {e.Message}", e);
        }
    }
}
