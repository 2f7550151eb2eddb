using ReleaseGateway.Datasets.Generators;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Releases.Artifacts;
using ReleaseGateway.Releases.Generators;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Requests.Datasets.UploadSourceTable;
using ReleaseGateway.Testing;

namespace ReleaseGateway.Releases.Tests.Pipeline;

/// <summary>The pipeline runs the generator an attempt names through the registry (ADR 0034), and never a substitute.</summary>
public sealed class GeneratorDispatchTests : IDisposable
{
    private static readonly string[] Columns = ["status", "trt", "sex", "edema", "stage"];
    private readonly string _data = Directory.CreateTempSubdirectory("rgw-dispatch-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private async Task<(ReleaseGeneration Generation, SeedVault Vault, Guid DatasetId, string ArtifactsDir)> StoreAsync()
    {
        var encryption = SourceEncryptionKey.FromConfiguration(null, _data);
        var sources = new SourceTableStore(_data, encryption, 64L << 20);
        var datasetId = Guid.CreateVersion7();
        await using (var csv = File.OpenRead(Pbcseq.CsvPath))
            await sources.StoreAsync(datasetId, csv, DatasetSchema.Parse(Pbcseq.SchemaJson), minRows: 100, CancellationToken.None);
        var vault = new SeedVault(_data, encryption);
        return (new ReleaseGeneration(sources, new ArtifactStore(_data), vault, new PipelineProgress(), TimeProvider.System), vault, datasetId, _data);
    }

    private static ReleaseGenerationStarted Started(Guid datasetId, SeedVault vault, string generator, int k)
    {
        var releaseId = Guid.CreateVersion7();
        var plan = ReleaseBudgetPlan.Create(1.0, 1e-9, 0.05, k, perPerson: true);
        return new ReleaseGenerationStarted(releaseId, Guid.CreateVersion7(), datasetId, "pbcseq", "researcher", 1, generator, "test",
            1.0, 1e-9, 200, Columns, 0.2, null, null, vault.GetOrCreate(releaseId).Commitment(releaseId), ["member"], 30, DateTimeOffset.UnixEpoch,
            plan.Unit, plan.MaxRowsPerPerson, plan.GateEpsilon);
    }

    private static int FileCount(string dir) => Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Count();

    [Theory]
    [InlineData("gan")]
    [InlineData("MST")]
    public async Task Given_AnAttemptNamingAnUnknownGenerator_When_Run_Then_ItFailsLoudlyAndStoresNothing(string generator)
    {
        var (generation, vault, datasetId, dir) = await StoreAsync();
        var started = Started(datasetId, vault, generator, 1);
        var before = FileCount(dir);

        var e = await Assert.ThrowsAsync<UnknownGeneratorException>(() =>
            generation.RunAsync(new GenerationPlan(started, vault.Load(started.ReleaseId), Pbcseq.SchemaJson, ""), CancellationToken.None));

        Assert.Equal($"unknown generator '{generator}' (known: aim, mst, made)", e.Message);
        Assert.Equal(before, FileCount(dir));
    }

    [Fact]
    public async Task Given_APersonLevelAttemptNamingMade_When_Run_Then_TheRegistryRefusesItBeforeTrainingAndStoresNothing()
    {
        var (generation, vault, datasetId, dir) = await StoreAsync();
        var started = Started(datasetId, vault, GeneratorCatalog.Made.Name, 3);
        var before = FileCount(dir);

        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            generation.RunAsync(new GenerationPlan(started, vault.Load(started.ReleaseId), Pbcseq.SchemaJson, ""), CancellationToken.None));

        Assert.Contains("no person-level bounding", e.Message);
        Assert.Equal(before, FileCount(dir));
    }

    [Fact]
    public async Task Given_AnMstAttempt_When_Run_Then_TheRegistrysMstEntryRunsWithoutSeparateAccounting()
    {
        var (generation, vault, datasetId, _) = await StoreAsync();
        var started = Started(datasetId, vault, GeneratorCatalog.Mst.Name, 1);

        var outcome = await generation.RunAsync(new GenerationPlan(started, vault.Load(started.ReleaseId), Pbcseq.SchemaJson, ""), CancellationToken.None);

        Assert.Equal(200, outcome.Rows);
        Assert.Null(outcome.AccountedCost);
        Assert.StartsWith("ReleaseGateway.Synthesis ", GeneratorRegistry.Default.Get(started.Generator).Version);
    }
}
