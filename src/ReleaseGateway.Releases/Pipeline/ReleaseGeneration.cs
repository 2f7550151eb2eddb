using System.Text;
using ReleaseGateway.Evaluation.Protocol;
using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Privacy.Sampling;
using ReleaseGateway.Releases.Artifacts;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Releases.Generators;
using ReleaseGateway.Releases.Reports;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Datasets.UploadSourceTable;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Datasets.Generators;
using ReleaseGateway.Synthesis.Data;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Datasets.Sources;
using ReleaseGateway.Synthesis.Marginals;
using ReleaseGateway.Synthesis.Binning;

namespace ReleaseGateway.Releases.Pipeline;

/// <summary>What a generation will do, decided (and recorded in <see cref="Started"/>) before the data is touched.</summary>
/// <param name="Started">The event that starts the attempt.</param>
/// <param name="Secret">The attempt's secret key.</param>
/// <param name="SchemaJson">The dataset's schema.</param>
/// <param name="SourceSha256">The uploaded file's SHA-256 (an engine-backed source's fingerprint is taken in the snapshot).</param>
/// <param name="Source">The engine-backed source the attempt counts in (ADR 0038); null for an uploaded file.</param>
/// <param name="EvaluationSampleRows">The policy's evaluation sample size for an engine-backed source.</param>
public sealed record GenerationPlan(ReleaseGenerationStarted Started, AttemptSecret Secret, string SchemaJson, string SourceSha256,
    EngineSource? Source = null, int EvaluationSampleRows = DatasetPolicy.DefaultEvaluationSampleRows);

/// <summary>What a generation produced; <c>Bins</c>: the DP bin edges placed for bounds-only columns (null when the attempt's columns need none).</summary>
public sealed record GenerationOutcome(ReleaseSplitRecorded Split, ReleaseArtifact Table, IReadOnlyList<ReleaseArtifact> Formats, int Rows, PrivacyCost? AccountedCost,
    ReleaseArtifact? Measurements = null, ReleaseBinsPlaced? Bins = null);

/// <summary>
/// Reads the source table, keeps the requested columns, bounds each person's contribution to k rows, splits off the
/// holdout by secret per-person coins, runs the request's generator on the training part only at the plan's ρ per row,
/// and stores the synthetic table as a (not yet released) artifact. All randomness comes from the attempt's secret key
/// (<see cref="SeedVault"/>), one independent CTR_DRBG stream or keyed coin per purpose (ADRs 0022–0024).
/// </summary>
public sealed class ReleaseGeneration(SourceTableStore sources, ArtifactStore artifacts, SeedVault seeds, PipelineProgress progress, TimeProvider time,
    EvaluationSamples? samples = null)
{
    public const string SyntheticTableName = "synthetic.csv";
    public const string SyntheticParquetName = "synthetic.parquet";

    public GenerationPlan Plan(Guid releaseId, AccessRequest request, DatasetDetails dataset, DatasetPolicy policy, int attempt,
        IReadOnlyList<string> approvers, DateTimeOffset now)
    {
        var terms = request.Terms;
        // Unknown names throw here (the request validator refuses them first); no name means the catalog's default.
        var generator = GeneratorRegistry.Default.Get(terms.Generator ?? GeneratorCatalog.Default.Name);
        var secret = seeds.GetOrCreate(releaseId);
        var schema = DatasetSchema.Parse(dataset.SchemaJson);
        // The binning slice is decided here, from the public schema and terms, before the data is touched (ADR 0037).
        var dpBinning = schema.DpBinnedColumns.Any(c => terms.Columns.Contains(c.Name));
        var budget = policy.PlanRelease(terms.Epsilon, schema.PersonKey is not null, dpBinning);
        var started = new ReleaseGenerationStarted(releaseId, request.Id, dataset.Id, dataset.Name, request.RequesterId, attempt,
            generator.Name, generator.Version, terms.Epsilon, policy.Delta, terms.Rows, terms.Columns,
            HoldoutSplit.DefaultHoldoutFraction, SplitSeed: null, EvaluationSeed: null, secret.Commitment(releaseId), approvers, terms.AccessDays, now,
            budget.Unit, budget.MaxRowsPerPerson, budget.GateEpsilon, dpBinning ? ReleaseBudgetPlan.DefaultBinningShare : null);
        return new GenerationPlan(started, secret, dataset.SchemaJson, dataset.SourceSha256 ?? "", dataset.Source, policy.EvaluationSampleRows);
    }

    public async Task<GenerationOutcome> RunAsync(GenerationPlan plan, CancellationToken ct)
    {
        var s = plan.Started;
        var budget = s.BudgetPlan();
        var streams = plan.Secret.Streams;
        Report(s.ReleaseId, 0.02, "reading the source table");
        ReleaseSplitRecorded split;
        GeneratorOutput generated;
        DatasetSchema schema;
        ReleaseBinsPlaced? bins = null;
        if (plan.Source is { } source)
        {
            (split, generated, schema) = await Task.Run(() => RunInEngine(plan, source), ct);
        }
        else
        {
            if (budget.BinningRho > 0)
            {
                Report(s.ReleaseId, 0.03, "placing bin edges by DP quantiles");
                bins = await PlaceBinsAsync(s, plan.SchemaJson, sources, plan.Secret, time.GetUtcNow(), ct);
            }
            (var train, var holdout, schema) = await LoadSplitAsync(s, plan.SchemaJson, sources, plan.Secret, bins, ct);
            split = new ReleaseSplitRecorded(s.ReleaseId, train.RowCount, holdout.RowCount, plan.SourceSha256, time.GetUtcNow());
            // No row count here: progress reaches the requester, and an exact count is not DP.
            Report(s.ReleaseId, 0.05, "training the generator");
            generated = await Task.Run(() => GeneratorRegistry.Default.Get(s.Generator).Run(new GeneratorRun(train, s.Epsilon, s.Delta, s.Rows, budget,
                streams.Stream(RandomPurpose.Noise), (fraction, stage) => Report(s.ReleaseId, 0.05 + 0.9 * fraction, stage))), ct);
        }
        // The measurements are what the release report compares the synthetic table with.
        var (synthetic, accounted, measurements) = (generated.Table, generated.AccountedCost, generated.Measurements);

        Report(s.ReleaseId, 0.97, "storing the synthetic table");
        // Decoding draws values inside continuous bins: post-processing, from its own stream of the attempt key (its
        // outputs are published; the noise stream is independent of them). Decoded once, so the CSV and the Parquet
        // file hold the same values.
        var decoded = DecodedTable.Decode(synthetic, schema, streams.Stream(RandomPurpose.Decoding));
        var (hash, bytes) = await artifacts.PutAsync(async stream =>
        {
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            CsvTableWriter.Write(decoded, writer);
        }, ct);
        var (parquetHash, parquetBytes) = await artifacts.PutAsync(stream => ParquetTableWriter.WriteAsync(decoded, stream, ct), ct);
        var (measuredHash, measuredBytes) = await artifacts.PutAsync(measurements.ToBytes(), ct); // internal artifact, never listed in a release
        progress.Clear(s.ReleaseId);
        return new GenerationOutcome(split, new ReleaseArtifact(SyntheticTableName, hash, bytes, "text/csv"),
            [new ReleaseArtifact(SyntheticParquetName, parquetHash, parquetBytes, "application/vnd.apache.parquet")], synthetic.RowCount, accounted,
            new ReleaseArtifact(DpMeasurements.ArtifactName, measuredHash, measuredBytes, "application/json"), bins);
    }

    /// <summary>
    /// DP binning (ADR 0037): the raw values of the attempt's bounds-only columns on the training rows (bounded and split by
    /// the attempt's coins, exactly the rows the generator sees), edges placed by DP quantiles at the plan's binning slice,
    /// per unit (sensitivity k), from the attempt's secret <see cref="RandomPurpose.Binning"/> stream.
    /// </summary>
    private static async Task<ReleaseBinsPlaced> PlaceBinsAsync(ReleaseGenerationStarted s, string schemaJson, SourceTableStore sources, AttemptSecret secret,
        DateTimeOffset now, CancellationToken ct)
    {
        var budget = s.BudgetPlan();
        var schema = AttemptSchema(s, schemaJson);
        RawNumericColumns raw;
        await using (var source = sources.OpenRead(s.DatasetId))
            raw = await Task.Run(() => CsvTableReader.ReadNumbers(source, DatasetSchema.Parse(schemaJson), schema.DpBinnedColumns.Select(c => c.Name).ToArray()), ct);
        var rows = raw.Values.Count > 0 ? raw.Values[0].Length : 0;
        var split = BoundAndSplit(rows, raw.PersonIds, budget.MaxRowsPerPerson, s.HoldoutFraction, secret.Streams);
        using var random = secret.Streams.Stream(RandomPurpose.Binning);
        var placed = DpBinning.Place(schema, raw, split.Train, budget.BinningRho, budget.MaxRowsPerPerson, random);
        return new ReleaseBinsPlaced(s.ReleaseId, placed.Edges, placed.RhoSpent, placed.EpsilonPerQuantile, now);
    }

    /// <summary>
    /// Generation on an engine-backed source (ADR 0038), all in one snapshot: check the source against the schema (a value
    /// outside the domain now fails the attempt closed), bound and split by the attempt's keyed coins inside the engine,
    /// let the generator count its marginals there, draw the committee's evaluation sample at a rate set from the
    /// synthesizer's noisy record count (post-processing, so the sample's size depends on the data only through a DP
    /// quantity), and record the snapshot's fingerprint in the audit log.
    /// </summary>
    private (ReleaseSplitRecorded Split, GeneratorOutput Generated, DatasetSchema Schema) RunInEngine(GenerationPlan plan, EngineSource source)
    {
        var s = plan.Started;
        var engines = samples ?? throw new InvalidOperationException("Engine-backed sources are not configured in this process.");
        var schema = AttemptSchema(s, plan.SchemaJson);
        // Connecting refuses such schemas (RG3101); fail closed should one reach here.
        if (schema.DpBinnedColumns.Count > 0)
            throw new InvalidOperationException("bounds-only columns need DP bins, which an engine-backed source cannot place yet");
        using var table = EngineTable.Open(source, engines.Options);
        var inspection = table.Inspect(schema);
        var split = new EngineSplit(table, schema, s.MaxRowsPerPerson ?? 1, s.HoldoutFraction, plan.Secret.Streams);
        Report(s.ReleaseId, 0.05, "training the generator");
        var generated = GeneratorRegistry.Default.Get(s.Generator).Run(new GeneratorRun(null, s.Epsilon, s.Delta, s.Rows, s.BudgetPlan(),
            plan.Secret.Streams.Stream(RandomPurpose.Noise), (fraction, stage) => Report(s.ReleaseId, 0.05 + 0.85 * fraction, stage),
            new EngineMarginalSource(split, engines.Options.PrefetchCells)));
        Report(s.ReleaseId, 0.92, "drawing the evaluation sample");
        var noisyTotal = generated.Measurements.Marginals.FirstOrDefault(m => m.Columns.Count == 1)?.Values.Sum() ?? generated.Table.RowCount;
        var rate = Math.Min(1, plan.EvaluationSampleRows / Math.Max(1, noisyTotal));
        var (trainSample, holdoutSample) = split.Sample(rate);
        var (trainRows, holdoutRows) = split.SideCounts();
        table.VerifyUnchanged();
        engines.Store(s.ReleaseId, trainSample, holdoutSample);
        var recorded = new ReleaseSplitRecorded(s.ReleaseId, (int)Math.Min(int.MaxValue, trainRows), (int)Math.Min(int.MaxValue, holdoutRows),
            inspection.Fingerprint, time.GetUtcNow());
        return (recorded, generated, new DatasetSchema(schema.Columns.Where(c => c.Role != ColumnRole.PersonKey), schema.OutOfDomain));
    }

    /// <summary>The attempt's columns of the dataset schema, with its person key (which groups rows but is never synthesised).</summary>
    public static DatasetSchema AttemptSchema(ReleaseGenerationStarted s, string schemaJson)
    {
        var full = DatasetSchema.Parse(schemaJson);
        return new DatasetSchema(full.Columns.Where(c => s.Columns.Contains(c.Name) || c.Role == ColumnRole.PersonKey), full.OutOfDomain);
    }

    /// <summary>
    /// The requested columns of the source table, bounded to k rows per person and split into training and holdout, as
    /// the attempt's generation saw them: the bounding and the split are keyed coins of the attempt's stored secret, so
    /// evaluation (also after a crash) gets the same rows. Attempts started before issue 14 use their recorded split seed.
    /// </summary>
    /// <remarks><paramref name="bins"/>: the attempt's recorded DP bin edges (<see cref="ReleaseBinsPlaced"/>), null when it has none.</remarks>
    public static Task<(EncodedTable Train, EncodedTable Holdout, DatasetSchema Schema)> LoadSplitAsync(
        ReleaseGenerationStarted s, string schemaJson, SourceTableStore sources, SeedVault seeds, ReleaseBinsPlaced? bins, CancellationToken ct) =>
        LoadSplitAsync(s, schemaJson, sources, s.SplitSeed is null ? seeds.Load(s.ReleaseId) : null, bins, ct);

    /// <summary>The seed the committee's evaluation of an attempt runs under: secret (from the attempt key), or a legacy attempt's recorded one.</summary>
    public static int EvaluationSeedOf(ReleaseGenerationStarted s, SeedVault seeds) => s.EvaluationSeed ?? seeds.Load(s.ReleaseId).EvaluationSeed;

    private static async Task<(EncodedTable Train, EncodedTable Holdout, DatasetSchema Schema)> LoadSplitAsync(
        ReleaseGenerationStarted s, string schemaJson, SourceTableStore sources, AttemptSecret? secret, ReleaseBinsPlaced? bins, CancellationToken ct)
    {
        var full = DatasetSchema.Parse(schemaJson);
        // Bounds-only columns outside the attempt are read as one public bin [min, max] and dropped below: nothing of them is
        // measured. The attempt's own get the recorded DP edges.
        var unused = full.DpBinnedColumns.Where(c => !s.Columns.Contains(c.Name))
            .ToDictionary(c => c.Name, c => (IReadOnlyList<double>)[c.Min!.Value, c.Max!.Value]);
        full = ReleaseBinsPlaced.Apply(full.WithBinEdges(unused), bins);
        PersonTable read;
        await using (var source = sources.OpenRead(s.DatasetId))
            read = await Task.Run(() => CsvTableReader.ReadWithPersons(source, full), ct);
        var (table, personIds) = read;
        var schema = new DatasetSchema(full.Columns.Where(c => s.Columns.Contains(c.Name)), full.OutOfDomain);
        var selected = schema.SynthesisColumns.Select(c => table.IndexOf(c.Name)).ToArray();
        if (secret is null)
        {
            var legacy = HoldoutSplit.Split(table.RowCount, s.HoldoutFraction, s.SplitSeed!.Value);
            return (Select(table, selected, legacy.Train), Select(table, selected, legacy.Holdout), schema);
        }

        var split = BoundAndSplit(table.RowCount, personIds, s.MaxRowsPerPerson ?? 1, s.HoldoutFraction, secret.Streams);
        return (Select(table, selected, split.Train), Select(table, selected, split.Holdout), schema);
    }

    /// <summary>
    /// Bounding, then the split: each person keeps at most <paramref name="maxRowsPerPerson"/> rows, chosen by the
    /// attempt's secret <see cref="RandomPurpose.Bounding"/> coins (Wilson et al. 2020), and each person's kept rows go
    /// to one side by a <see cref="RandomPurpose.Split"/> coin (Poisson sampling of persons, Balle et al. 2018). Without
    /// person ids every row is its own person. Row indices into the source table.
    /// </summary>
    public static SplitRows BoundAndSplit(int rowCount, int[]? personIds, int maxRowsPerPerson, double holdoutFraction, SecretStreams streams)
    {
        ArgumentNullException.ThrowIfNull(streams);
        IReadOnlyList<int> kept = personIds is null
            ? Enumerable.Range(0, rowCount).ToArray()
            : ContributionBounding.Bound(personIds, maxRowsPerPerson, streams.Coin(RandomPurpose.Bounding));
        return PoissonSplit.Split(kept, holdoutFraction, streams.Coin(RandomPurpose.Split), personIds);
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

    private void Report(Guid releaseId, double fraction, string stage) => progress.Report(releaseId, ReleaseSteps.Generate, fraction, stage, time.GetUtcNow());
}
