using System.Text.Json;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.EventStore;
using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Privacy.Mechanisms;
using ReleaseGateway.Releases.Artifacts;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Requests.Datasets.UploadSourceTable;
using ReleaseGateway.Testing;

namespace ReleaseGateway.Releases.Tests.Pipeline;

/// <summary>
/// DP binning in the release pipeline (ADR 0037) on pbcseq with two columns left to DP quantiles: bili (continuous, bounds
/// only: 16 bins) and platelet (integer, dpBins 8), persons as the unit with k = 3.
/// </summary>
public sealed class DpBinningGenerationTests : IDisposable
{
    private const int K = 3;
    private const double Epsilon = 1.0;
    private const double Delta = 1e-9;
    private static readonly string[] Columns = ["status", "trt", "sex", "bili", "platelet", "stage"];

    // 15 quantiles for bili's 16 default bins, 7 for platelet's 8.
    private const int Quantiles = 15 + 7;

    private static readonly string SchemaJson = Pbcseq.SchemaJson
        .Replace("""{"name": "bili", "type": "continuous", "min": 0, "max": 45, "bins": 15}""", """{"name": "bili", "type": "continuous", "min": 0, "max": 45}""", StringComparison.Ordinal)
        .Replace("""{"name": "platelet", "type": "integer", "min": 0, "max": 999, "bins": 10, "missing": true}""",
            """{"name": "platelet", "type": "integer", "min": 0, "max": 999, "dpBins": 8, "missing": true}""", StringComparison.Ordinal);

    private readonly string _data = Directory.CreateTempSubdirectory("rgw-dpbins-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private static ReleaseBudgetPlan Plan() => ReleaseBudgetPlan.Create(Epsilon, Delta, 0.05, K, perPerson: true, ReleaseBudgetPlan.DefaultBinningShare);

    private async Task<(ReleaseGeneration Generation, SourceTableStore Sources, SeedVault Vault, ArtifactStore Artifacts, Guid DatasetId)> StoreAsync()
    {
        var encryption = SourceEncryptionKey.FromConfiguration(null, _data);
        var sources = new SourceTableStore(_data, encryption, 64L << 20);
        var datasetId = Guid.CreateVersion7();
        await using (var csv = File.OpenRead(Pbcseq.CsvPath))
            await sources.StoreAsync(datasetId, csv, DatasetSchema.Parse(SchemaJson), minRows: 100, CancellationToken.None);
        var vault = new SeedVault(_data, encryption);
        var artifacts = new ArtifactStore(_data);
        return (new ReleaseGeneration(sources, artifacts, vault, new PipelineProgress(), TimeProvider.System), sources, vault, artifacts, datasetId);
    }

    private static ReleaseGenerationStarted Started(Guid datasetId, SeedVault vault, Guid? releaseId = null)
    {
        var id = releaseId ?? Guid.CreateVersion7();
        var plan = Plan();
        return new ReleaseGenerationStarted(id, Guid.CreateVersion7(), datasetId, "pbcseq", "researcher", 1, "aim", "test",
            Epsilon, Delta, 300, Columns, 0.2, null, null, vault.GetOrCreate(id).Commitment(id), ["member"], 30, DateTimeOffset.UnixEpoch,
            plan.Unit, plan.MaxRowsPerPerson, plan.GateEpsilon, ReleaseBudgetPlan.DefaultBinningShare);
    }

    private static Task<GenerationOutcome> GenerateAsync(ReleaseGeneration generation, SeedVault vault, ReleaseGenerationStarted started) =>
        generation.RunAsync(new GenerationPlan(started, vault.Load(started.ReleaseId), SchemaJson, ""), CancellationToken.None);

    [Fact]
    public async Task Given_BoundsOnlyColumns_When_AnAttemptIsGenerated_Then_BinningSpendsThePlansSliceAndTheLedgerComposesToThePromisedEpsilon()
    {
        var (generation, _, vault, artifacts, datasetId) = await StoreAsync();
        var started = Started(datasetId, vault);
        var plan = started.BudgetPlan();

        var outcome = await GenerateAsync(generation, vault, started);

        var bins = Assert.IsType<ReleaseBinsPlaced>(outcome.Bins);
        Assert.Equal(["bili", "platelet"], bins.Edges.Keys.Order());
        Assert.Equal(plan.BinningRho, bins.Rho, 12);
        Assert.Equal(DpQuantiles.EpsilonPerQuantile(plan.BinningRho, Quantiles), bins.EpsilonPerQuantile, 12);
        Assert.True(plan.BinningRho > 0);
        Assert.Equal(plan.TotalRho, plan.GateRho + plan.BinningRho + plan.SynthesisRhoPerUnit, 15);
        Assert.Equal(ReleaseBudgetPlan.DefaultBinningShare * (plan.TotalRho - plan.GateRho), plan.BinningRho, 15);
        Assert.Equal((0, 45), (bins.Edges["bili"][0], bins.Edges["bili"][^1]));
        Assert.Equal((0, 999), (bins.Edges["platelet"][0], bins.Edges["platelet"][^1]));
        Assert.All(bins.Edges["platelet"], e => Assert.Equal(Math.Floor(e), e));

        // The ledger charges the release's ρ with the binning slice on record; composed, it is exactly the promised ε.
        var cap = new BudgetCap(3, Delta, 5);
        var ledger = PrivacyBudgetLedger.Empty(datasetId);
        var reserved = ledger.Reserve(cap, started.ReleaseId, started.RequestId, PrivacyCost.ForZcdpRelease(Epsilon, Delta), Epsilon, Delta, "m", DateTimeOffset.UnixEpoch);
        ledger = ledger.Apply(reserved.Reserved);
        var charged = ledger.Charge(started.ReleaseId, "system", DateTimeOffset.UnixEpoch, cap, plan.BinningRho)!;
        ledger = ledger.Apply(charged);
        var entry = ledger.Entries[started.ReleaseId];
        Assert.Equal(bins.Rho, entry.BinningRho, 12);
        Assert.Equal(plan.TotalRho, entry.Cost.Rho, 15);
        Assert.Equal(Epsilon, entry.Cost.EpsilonAt(Delta), 9);

        // The released values of a DP-binned column are decoded inside its public bounds.
        await using var table = await artifacts.OpenVerifiedAsync(outcome.Table.Sha256, CancellationToken.None);
        var lines = new StreamReader(table).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var bili = Array.IndexOf(lines[0].Split(','), "bili");
        Assert.All(lines.Skip(1), l => Assert.InRange(double.Parse(l.Split(',')[bili], System.Globalization.CultureInfo.InvariantCulture), 0, 45));
    }

    [Fact]
    public async Task Given_TheSameAttemptKey_When_GeneratedTwice_Then_TheSameEdgesAndTableAndAnotherKeyPlacesOtherEdges()
    {
        var (generation, _, vault, _, datasetId) = await StoreAsync();
        var started = Started(datasetId, vault);
        var other = Started(datasetId, vault);

        var first = await GenerateAsync(generation, vault, started);
        var second = await GenerateAsync(generation, vault, started);
        var third = await GenerateAsync(generation, vault, other);

        Assert.Equal(first.Bins!.Edges["bili"], second.Bins!.Edges["bili"]);
        Assert.Equal(first.Bins.Edges["platelet"], second.Bins.Edges["platelet"]);
        Assert.Equal(first.Table.Sha256, second.Table.Sha256);
        Assert.NotEqual(first.Bins.Edges["bili"], third.Bins!.Edges["bili"]);
    }

    [Fact]
    public async Task Given_RecordedEdges_When_TheEvaluationLoadsTheSplit_Then_TheHoldoutIsCodedWithTheSameDpBinsAndWithoutThemNothingIsRead()
    {
        var (generation, sources, vault, _, datasetId) = await StoreAsync();
        var started = Started(datasetId, vault);
        var outcome = await GenerateAsync(generation, vault, started);
        // The event as stored and read back: the edges survive the event store's JSON exactly.
        var json = JsonSerializer.Serialize(outcome.Bins, EventTypeRegistry.JsonOptions);
        var bins = JsonSerializer.Deserialize<ReleaseBinsPlaced>(json, EventTypeRegistry.JsonOptions)!;
        Assert.Equal(outcome.Bins!.Edges["bili"], bins.Edges["bili"]);

        var (train, holdout, schema) = await ReleaseGeneration.LoadSplitAsync(started, SchemaJson, sources, vault, bins, CancellationToken.None);

        Assert.Equal(bins.Edges["bili"], schema.Find("bili")!.BinEdges);
        Assert.Equal(bins.Edges["bili"].Count - 1, holdout.DomainSizes[holdout.IndexOf("bili")]);
        Assert.Equal(bins.Edges["platelet"].Count, holdout.DomainSizes[holdout.IndexOf("platelet")]); // its bins + the missing code
        Assert.Equal(train.DomainSizes, holdout.DomainSizes);
        Assert.Equal(outcome.Split.TrainRows, train.RowCount);
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ReleaseGeneration.LoadSplitAsync(started, SchemaJson, sources, vault, null, CancellationToken.None));
    }

    [Fact]
    public async Task Given_AttemptColumnsWithoutTheBoundsOnlyOnes_When_Generated_Then_NoBinsArePlacedAndTheyAreNotRead()
    {
        var (generation, _, vault, _, datasetId) = await StoreAsync();
        var id = Guid.CreateVersion7();
        var plan = ReleaseBudgetPlan.Create(Epsilon, Delta, 0.05, K, perPerson: true);
        var started = new ReleaseGenerationStarted(id, Guid.CreateVersion7(), datasetId, "pbcseq", "researcher", 1, "aim", "test",
            Epsilon, Delta, 200, ["status", "trt", "stage"], 0.2, null, null, vault.GetOrCreate(id).Commitment(id), ["member"], 30, DateTimeOffset.UnixEpoch,
            plan.Unit, plan.MaxRowsPerPerson, plan.GateEpsilon);

        var outcome = await GenerateAsync(generation, vault, started);

        Assert.Null(outcome.Bins);
        Assert.Equal(0, started.BudgetPlan().BinningRho);
    }
}
