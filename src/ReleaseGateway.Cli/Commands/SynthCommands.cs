using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Privacy.Sampling;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Datasets.Generators;
using ReleaseGateway.Synthesis.Data;
using ReleaseGateway.Synthesis.Marginals;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Synthesis.Binning;
using ReleaseGateway.Synthesis.Synthesizers;

namespace ReleaseGateway.Cli;

/// <summary>
/// <c>rgw synth</c>: differentially private synthetic data from a CSV file and its schema
/// (docs/synthesis.md). Exit 0 = written, 2 = bad input (nothing written), 1 = unexpected failure.
/// </summary>
internal static class SynthCommands
{
    private const int BadInput = 2;

    public static Command Create()
    {
        // Options are parsed here rather than by System.CommandLine so that every bad value, including
        // a missing or malformed number, exits with code 2 and a precise message.
        var input = new Option<string?>("--input") { Description = "Private CSV file (header row, RFC 4180, UTF-8); required" };
        var schema = new Option<string?>("--schema") { Description = "Dataset schema JSON (full format or private-pgm domain shorthand); required" };
        var epsilon = new Option<string?>("--epsilon") { Description = "Privacy budget ε of this release (> 0); required" };
        var delta = new Option<string?>("--delta") { Description = "Privacy parameter δ in (0, 1); default 1e-9" };
        var method = new Option<string?>("--method")
        {
            Description = "Generator (default " + GeneratorCatalog.Default.Name + "): " + string.Join("; ", GeneratorCatalog.All.Select(g =>
                $"{g.Name} = {g.Title}{(g.SupportsPersonLevel ? "" : " (no person-level bounding: k = 1 only)")}")),
        };
        var rows = new Option<string?>("--rows") { Description = "Synthetic rows (default: the noisy record count)" };
        var seed = new Option<string?>("--seed") { Description = "Seed for a reproducible run (default: cryptographic randomness; a known seed voids the privacy guarantee)" };
        var output = new Option<string?>("--output") { Description = "Where to write the synthetic CSV (same columns and coding as the input); required" };
        var maxRows = new Option<string?>("--max-rows-per-person") { Description = "With a person key in the schema: rows kept per person, k (default 1); ε then holds per person" };
        var command = new Command("synth", "Generate a differentially private synthetic table (prints one JSON line)")
        {
            input, schema, epsilon, delta, method, rows, seed, output, maxRows,
        };
        command.SetAction(parse => Run(new Arguments(
            parse.GetValue(input),
            parse.GetValue(schema),
            parse.GetValue(epsilon),
            parse.GetValue(delta),
            parse.GetValue(method),
            parse.GetValue(rows),
            parse.GetValue(seed),
            parse.GetValue(output),
            parse.GetValue(maxRows))));
        return command;
    }

    private sealed record Arguments(string? Input, string? Schema, string? Epsilon, string? Delta, string? Method, string? Rows, string? Seed, string? Output,
        string? MaxRowsPerPerson = null);

    private static double ParseDouble(string? text, string option, double? fallback)
    {
        if (text is null)
        {
            return fallback ?? throw new ArgumentException($"{option} is required");
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? value
            : throw new ArgumentException($"{option} must be a number, not '{text}'");
    }

    private static int Run(Arguments arguments)
    {
        var stopwatch = Stopwatch.StartNew();
        SynthesisOptions options;
        double binningRho = 0;
        EncodedTable table;
        DatasetSchema schema;
        string inputName = arguments.Input ?? "input";
        FileInfo output;
        long? seed;
        try
        {
            // plug-in generators never reach here (PluginSynthHook runs them); any other name is refused with the known ones listed.
            string name = (arguments.Method ?? GeneratorCatalog.Default.Name).ToLowerInvariant();
            SynthesisMethod method = GeneratorCatalog.IsKnown(name)
                ? MarginalGenerators.MethodOf(GeneratorCatalog.Get(name))
                : throw new ArgumentException($"--method: {new UnknownGeneratorException(arguments.Method).Message}");
            double epsilon = ParseDouble(arguments.Epsilon, "--epsilon", null);
            double delta = ParseDouble(arguments.Delta, "--delta", 1e-9);
            if (!(epsilon > 0) || !double.IsFinite(epsilon))
            {
                throw new ArgumentException($"--epsilon must be a positive finite number, not {arguments.Epsilon}");
            }

            if (!(delta > 0 && delta < 1))
            {
                throw new ArgumentException($"--delta must be in (0, 1), not {arguments.Delta}");
            }

            int? rows = arguments.Rows is null ? null
                : int.TryParse(arguments.Rows, NumberStyles.Integer, CultureInfo.InvariantCulture, out int r) && r >= 1 ? r
                : throw new ArgumentException($"--rows must be a whole number of at least 1, not '{arguments.Rows}'");
            seed = arguments.Seed is null ? null
                : long.TryParse(arguments.Seed, NumberStyles.Integer, CultureInfo.InvariantCulture, out long s) ? s
                : throw new ArgumentException($"--seed must be a whole number, not '{arguments.Seed}'");
            output = new FileInfo(arguments.Output ?? throw new ArgumentException("--output is required"));
            if (output.Directory is { Exists: false } directory)
            {
                throw new ArgumentException($"--output: directory '{directory.FullName}' does not exist");
            }

            int k = arguments.MaxRowsPerPerson is null ? 1
                : int.TryParse(arguments.MaxRowsPerPerson, NumberStyles.Integer, CultureInfo.InvariantCulture, out int m) && m >= 1 ? m
                : throw new ArgumentException($"--max-rows-per-person must be a whole number of at least 1, not '{arguments.MaxRowsPerPerson}'");
            schema = DatasetSchema.Load(arguments.Schema ?? throw new ArgumentException("--schema is required"));
            if (schema.PersonKey is null && arguments.MaxRowsPerPerson is not null)
            {
                throw new ArgumentException("--max-rows-per-person needs a person key in the schema (an identifier column with role personKey)");
            }

            var input = new FileInfo(arguments.Input ?? throw new ArgumentException("--input is required"));
            if (!input.Exists)
            {
                throw new ArgumentException($"--input: file '{input.FullName}' does not exist");
            }

            // The person is the unit: keep k rows per person (secret coins, or the public seed's); the same coins bound the
            // rows DP binning sees and the rows the synthesizer measures.
            KeyedCoin? coin = schema.PersonKey is null ? null
                : seed is long p ? KeyedCoin.FromPublicSeed(p, RandomPurpose.Bounding) : new KeyedCoin(SecretStreams.NewKey(), RandomPurpose.Bounding);
            bool binned = schema.DpBinnedColumns.Count > 0;
            var plan = ReleaseBudgetPlan.Create(epsilon, delta, 0, k, schema.PersonKey is not null, binned ? ReleaseBudgetPlan.DefaultBinningShare : 0);
            if (binned)
            {
                RawNumericColumns raw;
                using (var stream = File.OpenRead(input.FullName))
                {
                    raw = CsvTableReader.ReadNumbers(stream, schema, schema.DpBinnedColumns.Select(c => c.Name).ToArray());
                }

                int[]? kept = raw.PersonIds is { } ids ? ContributionBounding.Bound(ids, k, coin!) : null;
                IRandomSource binningRandom = seed is long b ? new SeededRandomSource(unchecked(b * 31 + 11)) : new CryptoRandomSource();
                DpBinningResult binning = DpBinning.Place(schema, raw, kept, plan.BinningRho, k, binningRandom);
                schema = binning.Schema;
                binningRho = binning.RhoSpent;
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"rgw synth: DP binning: rho = {binning.RhoSpent:G4} per {plan.Unit} ({ReleaseBudgetPlan.DefaultBinningShare:P0} of the budget; epsilon = {binning.EpsilonPerQuantile:G4} per quantile); synthesis: rho = {plan.SynthesisRhoPerUnit:G4} per {plan.Unit}"));
                foreach ((string column, IReadOnlyList<double> edges) in binning.Edges)
                {
                    Console.Error.WriteLine($"rgw synth:   {column}: {string.Join(", ", edges.Select(e => e.ToString("G6", CultureInfo.InvariantCulture)))}");
                }
            }

            PersonTable read;
            using (var stream = File.OpenRead(input.FullName))
            {
                read = CsvTableReader.ReadWithPersons(stream, schema);
            }

            table = read.Table;
            if (read.PersonIds is { } personIds)
            {
                table = table.SelectRows(ContributionBounding.Bound(personIds, k, coin!));
            }

            // Per row the synthesizer runs at rho / k^2 of what the gates and the binning leave.
            double? rhoPerRow = read.PersonIds is not null || binned ? plan.SynthesisRhoPerRow : null;
            options = new SynthesisOptions { Method = method, Epsilon = epsilon, Delta = delta, Rows = rows, Seed = seed, RhoPerRow = rhoPerRow };
            if (seed is not null)
            {
                Console.Error.WriteLine("rgw synth: warning: --seed makes the noise reproducible by anyone who knows the seed; this voids the privacy guarantee. Use it only for research on non-sensitive data.");
            }
        }
        catch (CsvValidationException e)
        {
            Console.Error.WriteLine($"rgw synth: {inputName} does not match the schema:");
            foreach (CsvProblem problem in e.Problems)
            {
                Console.Error.WriteLine($"  {problem}");
            }

            if (e.Truncated)
            {
                Console.Error.WriteLine("  (more problems not shown)");
            }

            return BadInput;
        }
        catch (SchemaException e)
        {
            Console.Error.WriteLine($"rgw synth: invalid schema {arguments.Schema}: {e.Message}");
            return BadInput;
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"rgw synth: {e.Message}");
            return BadInput;
        }

        SynthesisResult result;
        try
        {
            result = Synthesizer.Run(new TableMarginalSource(table), options);
        }
        catch (ArgumentOutOfRangeException e) when (e.ParamName == "sigma")
        {
            Console.Error.WriteLine($"rgw synth: --epsilon {arguments.Epsilon} is too small for {table.ColumnCount} columns: the noise would exceed what the sampler supports ({e.Message.Split('\n')[0]})");
            return BadInput;
        }

        // Write beside the target and move into place, so a failed run never leaves a partial file.
        string temporary = Path.Combine(output.DirectoryName ?? ".", $".{output.Name}.{Guid.NewGuid():N}.tmp");
        try
        {
            IRandomSource decodeRandom = seed is long s ? new SeededRandomSource(unchecked(s * 31 + 7)) : new CryptoRandomSource();
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

        var summary = new
        {
            method = result.Method.ToString().ToLowerInvariant(),
            epsilon = result.Epsilon,
            delta = result.Delta,
            rho = result.RhoSpent,
            rhoBudget = result.RhoBudget,
            binningRho,
            unit = schema.PersonKey is null ? ReleaseBudgetPlan.RowUnit : ReleaseBudgetPlan.PersonUnit,
            cliques = result.Cliques,
            rows = result.Table.RowCount,
            wallSeconds = Math.Round(stopwatch.Elapsed.TotalSeconds, 3),
        };
        Console.WriteLine(JsonSerializer.Serialize(summary));
        return 0;
    }
}
