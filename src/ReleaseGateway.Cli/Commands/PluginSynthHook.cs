using System.CommandLine;
using System.CommandLine.Invocation;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Datasets.Generators;
using ReleaseGateway.Privacy.Sampling;
using ReleaseGateway.Synthesis.Data;
using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Releases.Generators;
using ReleaseGateway.Datasets.Schema;

namespace ReleaseGateway.Cli;

/// <summary>
/// Adds the plug-in generators (ADR 0043; today <c>--method made</c>, the DP-SGD masked autoregressive network,
/// docs/neural.md) to <c>rgw synth</c> without changing its code: the synth command's action is wrapped, and runs whose
/// method is built in go to the original action unchanged. The options are checked without the plug-in; the run loads it
/// (<c>ReleaseGateway:Generators:Plugins</c>, or the <c>plugins</c> folder beside rgw) and says so when it is missing.
/// Exit codes and the output contract are the same: 0 written, 2 bad input or no plug-in (nothing written); one JSON
/// line on stdout, training progress on stderr.
/// </summary>
internal static class PluginSynthHook
{
    private const int BadInput = 2;

    public static Command WithPluginMethods(this Command synth)
    {
        ArgumentNullException.ThrowIfNull(synth);
        if (synth.Action is not SynchronousCommandLineAction original)
        {
            throw new InvalidOperationException("rgw synth has no synchronous action to extend");
        }

        synth.SetAction(parse => parse.GetValue<string?>("--method")?.ToLowerInvariant() is { } method && GeneratorCatalog.IsKnown(method)
            && GeneratorRegistry.Default.Get(method) is { Plugin: not null } entry
            ? Run(parse, entry)
            : original.Invoke(parse));
        return synth;
    }

    private static int Run(ParseResult parse, GeneratorEntry entry)
    {
        var stopwatch = Stopwatch.StartNew();
        string? Text(string name) => parse.GetValue<string?>(name);
        GeneratorRun run;
        EncodedTable table;
        DatasetSchema schema;
        FileInfo output;
        long? seed;
        try
        {
            double epsilon = Number(Text("--epsilon"), "--epsilon") ?? throw new ArgumentException("--epsilon is required");
            double delta = Number(Text("--delta"), "--delta") ?? 1e-9;
            if (!(epsilon > 0) || !double.IsFinite(epsilon))
            {
                throw new ArgumentException($"--epsilon must be a positive finite number, not {Text("--epsilon")}");
            }

            if (!(delta > 0 && delta < 1))
            {
                throw new ArgumentException($"--delta must be in (0, 1), not {Text("--delta")}");
            }

            int? rows = Text("--rows") is not { } rowsText ? null
                : int.TryParse(rowsText, NumberStyles.Integer, CultureInfo.InvariantCulture, out int r) && r >= 1 ? r
                : throw new ArgumentException($"--rows must be a whole number of at least 1, not '{rowsText}'");
            seed = Text("--seed") is not { } seedText ? null
                : long.TryParse(seedText, NumberStyles.Integer, CultureInfo.InvariantCulture, out long s) ? s
                : throw new ArgumentException($"--seed must be a whole number, not '{seedText}'");
            output = new FileInfo(Text("--output") ?? throw new ArgumentException("--output is required"));
            if (output.Directory is { Exists: false } directory)
            {
                throw new ArgumentException($"--output: directory '{directory.FullName}' does not exist");
            }

            schema = DatasetSchema.Load(Text("--schema") ?? throw new ArgumentException("--schema is required"));
            var input = new FileInfo(Text("--input") ?? throw new ArgumentException("--input is required"));
            if (!input.Exists)
            {
                throw new ArgumentException($"--input: file '{input.FullName}' does not exist");
            }

            // DP-SGD protects one row (no person-level bounding, ADR 0034): with a person key each person keeps one row.
            if (Text("--max-rows-per-person") is { } k && k != "1")
            {
                throw new ArgumentException($"--method {entry.Name} has no person-level bounding: --max-rows-per-person must be 1, not '{k}' " +
                    $"(use {string.Join(" or ", GeneratorCatalog.All.Where(g => g.SupportsPersonLevel).Select(g => g.Name))})");
            }

            if (schema.PersonKey is null && Text("--max-rows-per-person") is not null)
            {
                throw new ArgumentException("--max-rows-per-person needs a person key in the schema (an identifier column with role personKey)");
            }

            PersonTable read;
            using (var stream = File.OpenRead(input.FullName))
            {
                read = CsvTableReader.ReadWithPersons(stream, schema);
            }

            table = read.PersonIds is { } personIds
                ? read.Table.SelectRows(ContributionBounding.Bound(personIds, 1,
                    seed is long p ? KeyedCoin.FromPublicSeed(p, RandomPurpose.Bounding) : new KeyedCoin(SecretStreams.NewKey(), RandomPurpose.Bounding)))
                : read.Table;
            IRandomSource random = seed is long noiseSeed ? new SeededRandomSource(noiseSeed) : new CryptoRandomSource();
            run = new GeneratorRun(table, epsilon, delta, rows, ReleaseBudgetPlan.Create(epsilon, delta, 0, 1, schema.PersonKey is not null), random,
                // Progress goes to stderr; it says nothing about the data beyond the public step count and ε spent.
                (_, stage) => Console.Error.WriteLine(stage));
            if (entry.Validate(run) is { Count: > 0 } problems) throw new ArgumentException(string.Join("; ", problems));
        }
        catch (CsvValidationException e)
        {
            Console.Error.WriteLine($"rgw synth: {Text("--input")} does not match the schema:");
            foreach (CsvProblem problem in e.Problems)
            {
                Console.Error.WriteLine($"  {problem}");
            }

            return BadInput;
        }
        catch (SchemaException e)
        {
            Console.Error.WriteLine($"rgw synth: invalid schema {Text("--schema")}: {e.Message}");
            return BadInput;
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"rgw synth: {e.Message}");
            return BadInput;
        }

        try
        {
            GeneratorRegistry.Default.InstallFrom(CliConfiguration.Load());
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or BadImageFormatException)
        {
            Console.Error.WriteLine($"rgw synth: the generator plug-in could not be loaded: {e.Message}");
            return BadInput;
        }

        entry = GeneratorRegistry.Default.Get(entry.Name);
        if (!entry.IsInstalled)
        {
            Console.Error.WriteLine($"rgw synth: {new GeneratorNotInstalledException(entry).Message}");
            return BadInput;
        }

        GeneratorOutput result = entry.Run(run);

        string temporary = Path.Combine(output.DirectoryName ?? ".", $".{output.Name}.{Guid.NewGuid():N}.tmp");
        try
        {
            IRandomSource decodeRandom = seed is long decodeSeed ? new SeededRandomSource(unchecked(decodeSeed * 31 + 7)) : new CryptoRandomSource();
            using (var writer = new StreamWriter(temporary, false, new UTF8Encoding(false)))
            {
                CsvTableWriter.WriteDecoded(result.Table, schema, writer, decodeRandom);
            }

            File.Move(temporary, output.FullName, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        var summary = new Dictionary<string, object>
        {
            ["method"] = entry.Name,
            ["version"] = entry.Version,
            ["epsilon"] = run.Epsilon,
            ["delta"] = run.Delta,
        };
        foreach (var (name, value) in result.Facts ?? new Dictionary<string, object>()) summary[name] = value;
        summary["rows"] = result.Table.RowCount;
        summary["wallSeconds"] = Math.Round(stopwatch.Elapsed.TotalSeconds, 3);
        Console.WriteLine(JsonSerializer.Serialize(summary));
        return 0;
    }

    private static double? Number(string? text, string option) =>
        text is null ? null
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value
        : throw new ArgumentException($"{option} must be a number, not '{text}'");
}
