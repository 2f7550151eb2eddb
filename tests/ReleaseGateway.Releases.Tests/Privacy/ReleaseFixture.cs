using System.Text;
using ReleaseGateway.EventStore;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Privacy.Sampling;
using ReleaseGateway.Releases.Artifacts;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Releases.Checks;
using ReleaseGateway.Releases.Generators;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Releases.Reports;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Synthesis.Data;
using ReleaseGateway.Synthesis.Marginals;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Synthesis.Synthesizers;
using ReleaseGateway.Testing;

namespace ReleaseGateway.Releases.Tests.Privacy;

/// <summary>
/// Real pipeline parts on real files for the privacy tests: the pima table and schema of the demo, a real artifact store
/// in a temp folder, the real synthesizer, split, release check, release report and publication; release streams as the
/// pipeline records them.
/// </summary>
public sealed class ReleaseFixture : IDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    public ReleaseFixture()
    {
        Directory.CreateDirectory(Folder);
        Artifacts = new ArtifactStore(Folder);
        SchemaJson = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "deploy", "demo-data", "pima-schema.json"));
        Schema = DatasetSchema.Parse(SchemaJson);
        Pima = CsvTableReader.Read(Path.Combine(RepositoryPaths.Root, "deploy", "demo-data", "pima.csv"), Schema);
    }

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "rgw-privacy-tests", Guid.NewGuid().ToString("N"));

    public ArtifactStore Artifacts { get; }

    public string SchemaJson { get; }

    public DatasetSchema Schema { get; }

    public EncodedTable Pima { get; }

    public static DatasetPolicy Policy(int? copyThreshold = null) => new("pima", 3, 1e-6, 1, 0.01, 5, 100_000, 100, ["aim", "mst"], "standard", [], 30,
        new Dictionary<string, double>(), new Dictionary<string, double>(), []) { ReleaseChecksCopyThreshold = copyThreshold };

    public static EncodedTable Rows(EncodedTable table, IReadOnlyList<int> rows) => new(table.ColumnNames, table.DomainSizes,
        Enumerable.Range(0, table.ColumnCount).Select(j =>
        {
            var source = table.Column(j).ToArray();
            return rows.Select(r => source[r]).ToArray();
        }).ToArray());

    public ReleaseGenerationStarted Started(Guid releaseId, double epsilon = 1) => new(releaseId, Guid.Parse("0193a6f0-0000-7000-8000-000000000001"),
        Guid.Parse("0193a6f0-0000-7000-8000-000000000002"), "pima", "researcher-1", 1, "mst", GeneratorRegistry.Default.Get("mst").Version, epsilon, 1e-6, 0,
        Schema.SynthesisColumns.Select(c => c.Name).ToList(), 0.2, null, null, "blinded-commitment", ["member-1", "member-2"], 30, Now,
        "row", 1, DatasetPolicy.DefaultReleaseChecksEpsilon);

    /// <summary>Synthesizes from <paramref name="train"/> (MST, the given seed) and stores the CSV and the DP measurements as a generation does.</summary>
    public async Task<(SyntheticTableGenerated Generated, EncodedTable Synthetic)> GenerateAsync(Guid releaseId, EncodedTable train, double epsilon, long seed)
    {
        var result = Synthesizer.Run(new TableMarginalSource(train), new SynthesisOptions { Method = SynthesisMethod.Mst, Epsilon = epsilon, Delta = 1e-6, Seed = seed });
        var decoded = DecodedTable.Decode(result.Table, Schema, new SeededRandomSource(seed + 1));
        var (hash, bytes) = await Artifacts.PutAsync(async stream =>
        {
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            CsvTableWriter.Write(decoded, writer);
        }, CancellationToken.None);
        var (mHash, mBytes) = await Artifacts.PutAsync(DpMeasurements.From(result.Measurements, result.Table.ColumnNames).ToBytes(), CancellationToken.None);
        var generated = new SyntheticTableGenerated(releaseId, new ReleaseArtifact(ReleaseGeneration.SyntheticTableName, hash, bytes, "text/csv"),
            result.Table.RowCount, new PrivacyCost(0.01), 1, Now, [], new ReleaseArtifact(DpMeasurements.ArtifactName, mHash, mBytes, "application/json"));
        return (generated, result.Table);
    }

    public static IReadOnlyList<StoredEvent> Stream(Guid releaseId, params object[] events) => events.Select((e, i) => new StoredEvent(i + 1, releaseId, i + 1,
        e.GetType().Name, 1, "{}", new EventMetadata("system", "System", "c"), Now, "", "", e)).ToList();

    public static PrivacyBudgetLedger Ledger(ReleaseGenerationStarted started, BudgetCap cap)
    {
        var ledger = PrivacyBudgetLedger.Empty(started.DatasetId);
        var cost = PrivacyCost.ForZcdpRelease(started.Epsilon, started.Delta);
        ledger = ledger.Apply(ledger.Reserve(cap, started.ReleaseId, started.RequestId, cost, started.Epsilon, started.Delta, "member-1", Now).Reserved);
        return ledger.Apply(ledger.Charge(started.ReleaseId, "system", Now, cap));
    }

    /// <summary>The secret split of a real table and the DP copy test against the synthetic table, as the pipeline runs them.</summary>
    public static CopyTestOutcome Check(EncodedTable real, EncodedTable synthetic, DatasetPolicy policy, SecretStreams secrets)
    {
        var split = PoissonSplit.Split(real.RowCount, 0.2, secrets.Coin(RandomPurpose.Split));
        return CopyTest.Run(Rows(real, split.Train), Rows(real, split.Holdout), synthetic, 0.2, 1, policy.ReleaseChecksEpsilon,
            policy.ReleaseChecksCopyThreshold, secrets.Stream(RandomPurpose.Gates));
    }

    public void Dispose()
    {
        if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
    }
}
