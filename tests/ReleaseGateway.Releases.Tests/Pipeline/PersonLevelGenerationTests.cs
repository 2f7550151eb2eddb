using System.Text.Json;
using ReleaseGateway.EventStore;
using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Releases.Artifacts;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Requests.Datasets.UploadSourceTable;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Testing;

namespace ReleaseGateway.Releases.Tests.Pipeline;

// pbcseq is the worked example of the person as the privacy unit: 1,945 visits of 312 patients, person key 'id'.
public sealed class PersonLevelGenerationTests : IDisposable
{
    private const int K = 3;
    private static readonly string[] Columns = ["status", "trt", "sex", "edema", "stage"];
    private readonly string _data = Directory.CreateTempSubdirectory("rgw-person-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private static int[] PersonIds()
    {
        using var stream = File.OpenRead(Pbcseq.CsvPath);
        return CsvTableReader.ReadWithPersons(stream, DatasetSchema.Parse(Pbcseq.SchemaJson)).PersonIds!;
    }

    [Fact]
    public void Given_Pbcseq_When_BoundedAndSplit_Then_AtMostKRowsPerPersonAndEveryPersonOnOneSide()
    {
        var persons = PersonIds();
        var split = ReleaseGeneration.BoundAndSplit(persons.Length, persons, K, 0.2, new SecretStreams(SecretStreams.NewKey()));

        var kept = split.Train.Concat(split.Holdout).ToArray();
        var perPerson = kept.GroupBy(r => persons[r]).ToDictionary(g => g.Key, g => g.Count());
        var available = persons.GroupBy(p => p).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Pbcseq.Persons, perPerson.Count);
        Assert.All(perPerson, kv => Assert.Equal(Math.Min(K, available[kv.Key]), kv.Value));
        Assert.Empty(split.Train.Select(r => persons[r]).Intersect(split.Holdout.Select(r => persons[r])));
        // Persons, not rows, are sampled: the holdout's persons are Binomial(312, 0.2) within 5 standard errors.
        var holdoutPersons = split.Holdout.Select(r => persons[r]).Distinct().Count();
        var sd = Math.Sqrt(Pbcseq.Persons * 0.2 * 0.8);
        Assert.InRange(holdoutPersons, Pbcseq.Persons * 0.2 - 5 * sd, Pbcseq.Persons * 0.2 + 5 * sd);
    }

    [Fact]
    public void Given_SameAttemptKey_When_BoundedAndSplitTwice_Then_SameRowsAndAnotherKeyGivesOthers()
    {
        var persons = PersonIds();
        var key = SecretStreams.NewKey();

        var a = ReleaseGeneration.BoundAndSplit(persons.Length, persons, K, 0.2, new SecretStreams(key));
        var b = ReleaseGeneration.BoundAndSplit(persons.Length, persons, K, 0.2, new SecretStreams(key));
        var c = ReleaseGeneration.BoundAndSplit(persons.Length, persons, K, 0.2, new SecretStreams(SecretStreams.NewKey()));

        Assert.Equal(a.Train, b.Train);
        Assert.Equal(a.Holdout, b.Holdout);
        Assert.NotEqual(a.Train, c.Train);
    }

    [Fact]
    public async Task Given_PersonLevelAttempt_When_GeneratedTwiceFromTheStoredKey_Then_SameTableWithoutThePersonKeyAndSameSplitForEvaluation()
    {
        var encryption = SourceEncryptionKey.FromConfiguration(null, _data);
        var sources = new SourceTableStore(_data, encryption, 64L << 20);
        var datasetId = Guid.CreateVersion7();
        var schema = DatasetSchema.Parse(Pbcseq.SchemaJson);
        await using (var csv = File.OpenRead(Pbcseq.CsvPath))
            await sources.StoreAsync(datasetId, csv, schema, minRows: 100, CancellationToken.None);
        var vault = new SeedVault(_data, encryption);
        var artifacts = new ArtifactStore(_data);
        var generation = new ReleaseGeneration(sources, artifacts, vault, new PipelineProgress(), TimeProvider.System);
        var releaseId = Guid.CreateVersion7();
        var plan = ReleaseBudgetPlan.Create(1.0, 1e-9, 0.05, K, perPerson: true);
        var started = new ReleaseGenerationStarted(releaseId, Guid.CreateVersion7(), datasetId, "pbcseq", "researcher", 1, "mst", "test",
            1.0, 1e-9, 300, Columns, 0.2, null, null, vault.GetOrCreate(releaseId).Commitment(releaseId), ["member"], 30, DateTimeOffset.UnixEpoch,
            plan.Unit, plan.MaxRowsPerPerson, plan.GateEpsilon);

        var first = await generation.RunAsync(new GenerationPlan(started, vault.Load(releaseId), Pbcseq.SchemaJson, ""), CancellationToken.None);
        var second = await generation.RunAsync(new GenerationPlan(started, vault.Load(releaseId), Pbcseq.SchemaJson, ""), CancellationToken.None);
        var (train, holdout, _) = await ReleaseGeneration.LoadSplitAsync(started, Pbcseq.SchemaJson, sources, vault, null, CancellationToken.None);

        Assert.Equal(first.Table.Sha256, second.Table.Sha256);
        Assert.Equal(first.Formats[0].Sha256, second.Formats[0].Sha256);
        Assert.Equal(first.Split.TrainRows, train.RowCount);
        Assert.Equal(first.Split.HoldoutRows, holdout.RowCount);
        var available = PersonIds().GroupBy(p => p).Sum(g => Math.Min(K, g.Count()));
        Assert.Equal(available, train.RowCount + holdout.RowCount);
        await using var table = await artifacts.OpenVerifiedAsync(first.Table.Sha256, CancellationToken.None);
        var header = new StreamReader(table).ReadLine();
        Assert.Equal(string.Join(",", Columns), header);
        Assert.Equal(300, first.Rows);
    }

    [Fact]
    public void Given_EventsWrittenBeforeIssue14_When_Read_Then_TheyKeepTheirSeedsAndArePerRowWithoutReleaseChecks()
    {
        const string legacy = """
            {"releaseId":"0193a5b0-0000-7000-8000-000000000001","requestId":"0193a5b0-0000-7000-8000-000000000002",
             "datasetId":"0193a5b0-0000-7000-8000-000000000003","datasetName":"pima","requesterId":"r","attempt":1,"generator":"aim",
             "generatorVersion":"x","epsilon":1,"delta":1e-6,"rows":100,"columns":["age"],"holdoutFraction":0.2,"splitSeed":123,
             "evaluationSeed":456,"seedCommitment":"abc","approvers":["m"],"accessDays":30,"startedAt":"2026-01-01T00:00:00+00:00"}
            """;

        var started = JsonSerializer.Deserialize<ReleaseGenerationStarted>(legacy, EventTypeRegistry.JsonOptions)!;

        Assert.Equal(123, started.SplitSeed);
        Assert.Equal(456, started.EvaluationSeed);
        var plan = started.BudgetPlan();
        Assert.Equal(ReleaseBudgetPlan.RowUnit, plan.Unit);
        Assert.Equal(1, plan.MaxRowsPerPerson);
        Assert.Equal(0, plan.GateEpsilon);
        Assert.Equal(ZcdpConversion.Rho(1, 1e-6), plan.SynthesisRhoPerRow);
    }

    [Fact]
    public void Given_NewEvent_When_Serialized_Then_ItHoldsUnitKAndGateEpsilonButNoSeed()
    {
        var started = new ReleaseGenerationStarted(Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7(), "pbcseq", "r", 1, "aim", "v",
            1.0, 1e-6, 100, ["stage"], 0.2, null, null, "commitment", ["m"], 30, DateTimeOffset.UnixEpoch, "person", 4, 0.05);

        var json = JsonSerializer.Serialize(started, EventTypeRegistry.JsonOptions);

        Assert.DoesNotContain("splitSeed", json);
        Assert.DoesNotContain("evaluationSeed", json);
        Assert.Contains("\"privacyUnit\":\"person\"", json);
        Assert.Contains("\"maxRowsPerPerson\":4", json);
        Assert.Contains("\"gateEpsilon\":0.05", json);
        var read = JsonSerializer.Deserialize<ReleaseGenerationStarted>(json, EventTypeRegistry.JsonOptions)!;
        Assert.Equal((started.PrivacyUnit, started.MaxRowsPerPerson, started.GateEpsilon, started.SplitSeed), (read.PrivacyUnit, read.MaxRowsPerPerson, read.GateEpsilon, read.SplitSeed));
    }
}
