using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using ReleaseGateway.Evaluation.Protocol;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Releases.Artifacts;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Datasets.UploadSourceTable;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Synthesis.Data;
using ReleaseGateway.Synthesis.Marginals;
using ReleaseGateway.Synthesis.Neural.Generators;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Synthesis.Synthesizers;

namespace ReleaseGateway.Releases.Pipeline;

/// <summary>What a generation will do, decided (and recorded in <see cref="Started"/>) before the data is touched.</summary>
public sealed record GenerationPlan(ReleaseGenerationStarted Started, long NoiseSeed, string SchemaJson, string SourceSha256);

public sealed record GenerationOutcome(ReleaseSplitRecorded Split, ReleaseArtifact Table, IReadOnlyList<ReleaseArtifact> Formats, int Rows, PrivacyCost? AccountedCost);

/// <summary>
/// Reads the source table, keeps the requested columns, splits off the holdout (seeded, recorded), runs the
/// request's generator on the training part only, and stores the synthetic table as a (not yet released) artifact.
/// </summary>
public sealed class ReleaseGeneration(SourceTableStore sources, ArtifactStore artifacts, SeedVault seeds, PipelineProgress progress, TimeProvider time)
{
    public const string SyntheticTableName = "synthetic.csv";
    public const string SyntheticParquetName = "synthetic.parquet";
    public const string DefaultGenerator = "aim";

    public GenerationPlan Plan(Guid releaseId, AccessRequest request, DatasetDetails dataset, DatasetPolicy policy, int attempt,
        IReadOnlyList<string> approvers, DateTimeOffset now)
    {
        var terms = request.Terms;
        var generator = terms.Generator ?? DefaultGenerator;
        var seed = seeds.GetOrCreate(releaseId);
        var started = new ReleaseGenerationStarted(releaseId, request.Id, dataset.Id, dataset.Name, request.RequesterId, attempt,
            generator, VersionOf(generator), terms.Epsilon, policy.Delta, terms.Rows, terms.Columns,
            HoldoutSplit.DefaultHoldoutFraction, PublicSeed(releaseId, "split"), PublicSeed(releaseId, "evaluation"),
            SeedVault.Commitment(releaseId, seed), approvers, terms.AccessDays, now);
        return new GenerationPlan(started, seed, dataset.SchemaJson, dataset.SourceSha256 ?? "");
    }

    public async Task<GenerationOutcome> RunAsync(GenerationPlan plan, CancellationToken ct)
    {
        var s = plan.Started;
        Report(s.ReleaseId, 0.02, "reading the source table");
        var (train, holdout, schema) = await LoadSplitAsync(s, plan.SchemaJson, sources, ct);
        var split = new ReleaseSplitRecorded(s.ReleaseId, train.RowCount, holdout.RowCount, plan.SourceSha256, time.GetUtcNow());
        Report(s.ReleaseId, 0.05, $"training on {train.RowCount} rows");

        PrivacyCost? accounted = null;
        EncodedTable synthetic;
        if (s.Generator == NeuralSynthesisOptions.MethodName)
        {
            var result = await Task.Run(() => NeuralSynthesizer.Run(train,
                new NeuralSynthesisOptions { Epsilon = s.Epsilon, Delta = s.Delta, Rows = s.Rows, Seed = plan.NoiseSeed },
                new SyncProgress<NeuralTrainingProgress>(p => Report(s.ReleaseId, 0.05 + 0.9 * p.Step / Math.Max(1, p.Steps),
                    $"epoch {p.Epoch:0.#}, ε spent {p.EpsilonSpent:0.###}"))), ct);
            synthetic = result.Table;
            accounted = new PrivacyCost(0, result.Accountant.TotalRdp.ToArray());
        }
        else
        {
            var method = s.Generator == "mst" ? SynthesisMethod.Mst : SynthesisMethod.Aim;
            var result = await Task.Run(() => Synthesizer.Run(new TableMarginalSource(train),
                new SynthesisOptions { Method = method, Epsilon = s.Epsilon, Delta = s.Delta, Rows = s.Rows, Seed = plan.NoiseSeed },
                new SyncProgress<SynthesisProgress>(p => Report(s.ReleaseId, 0.05 + 0.9 * p.Fraction, p.Stage))), ct);
            synthetic = result.Table;
        }

        Report(s.ReleaseId, 0.97, "storing the synthetic table");
        // Decoding draws values inside continuous bins: post-processing, seeded from the secret seed. Decoded once, so
        // the CSV and the Parquet file hold the same values.
        var decoded = DecodedTable.Decode(synthetic, schema, new SeededRandomSource(plan.NoiseSeed ^ 0x5DEECE66DL));
        var (hash, bytes) = await artifacts.PutAsync(async stream =>
        {
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            CsvTableWriter.Write(decoded, writer);
        }, ct);
        var (parquetHash, parquetBytes) = await artifacts.PutAsync(stream => ParquetTableWriter.WriteAsync(decoded, stream, ct), ct);
        progress.Clear(s.ReleaseId);
        return new GenerationOutcome(split, new ReleaseArtifact(SyntheticTableName, hash, bytes, "text/csv"),
            [new ReleaseArtifact(SyntheticParquetName, parquetHash, parquetBytes, "application/vnd.apache.parquet")], synthetic.RowCount, accounted);
    }

    /// <summary>The requested columns of the source table, split by the attempt's recorded seed; evaluation calls it again and gets the same split.</summary>
    public static async Task<(EncodedTable Train, EncodedTable Holdout, DatasetSchema Schema)> LoadSplitAsync(
        ReleaseGenerationStarted s, string schemaJson, SourceTableStore sources, CancellationToken ct)
    {
        var full = DatasetSchema.Parse(schemaJson);
        EncodedTable table;
        await using (var source = sources.OpenRead(s.DatasetId))
            table = await Task.Run(() => CsvTableReader.Read(source, full), ct);
        var schema = new DatasetSchema(full.Columns.Where(c => s.Columns.Contains(c.Name)), full.OutOfDomain);
        var selected = schema.SynthesisColumns.Select(c => table.IndexOf(c.Name)).ToArray();
        var split = HoldoutSplit.Split(table.RowCount, s.HoldoutFraction, s.SplitSeed);
        return (Select(table, selected, split.Train), Select(table, selected, split.Holdout), schema);
    }

    private static EncodedTable Select(EncodedTable table, int[] columns, int[] rows) => new(
        columns.Select(j => table.ColumnNames[j]).ToArray(),
        columns.Select(j => table.DomainSizes[j]).ToArray(),
        columns.Select(j =>
        {
            var source = table.Column(j);
            var values = new int[rows.Length];
            for (var i = 0; i < rows.Length; i++) values[i] = source[rows[i]];
            return values;
        }).ToArray());

    private void Report(Guid releaseId, double fraction, string stage) => progress.Report(releaseId, "generate", fraction, stage, time.GetUtcNow());

    /// <summary>Seeds that select rows or drive the attacks, not noise: derived from the release id so anyone can reproduce them.</summary>
    private static int PublicSeed(Guid releaseId, string purpose) =>
        BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes($"{purpose}:{releaseId:D}")), 0) & int.MaxValue;

    public static string VersionOf(string generator)
    {
        var assembly = generator == NeuralSynthesisOptions.MethodName ? typeof(NeuralSynthesizer).Assembly : typeof(Synthesizer).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? assembly.GetName().Version?.ToString() ?? "unknown";
        return $"{assembly.GetName().Name} {version}";
    }

    /// <summary>Progress reported on the caller's thread (System.Progress would post to the thread pool, out of order).</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
