using System.Text;
using Npgsql;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Datasets.Sources;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Synthesis.Marginals;
using ReleaseGateway.Synthesis.Synthesizers;

namespace ReleaseGateway.Synthesis.Tests.Sources;

/// <summary>
/// Engine-backed sources (ADR 0038) against an independent computation in memory: the same table read by the CSV reader,
/// the same keyed coins computed by .NET's HMAC-SHA256, the same bounding and split, counted in C#. PostgreSQL (a
/// throw-away cluster), and DuckDB on a CSV and a Parquet file, must give exactly these counts.
/// </summary>
public sealed class EngineSourceTests(EngineSourceFixture data) : IClassFixture<EngineSourceFixture>
{
    private const double Holdout = 0.3;

    public static TheoryData<string> Kinds => new() { "postgres", "csv", "parquet" };

    private EngineSource Source(string kind, string relation = "clinic.visits") => kind switch
    {
        "postgres" => new EngineSource(SourceKind.Postgres, Connection: "warehouse", Relation: relation),
        "csv" => new EngineSource(SourceKind.File, Path: data.CsvPath),
        _ => new EngineSource(SourceKind.File, Path: data.ParquetPath),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Given_ATableWithEveryColumnType_When_CountedInTheEngine_Then_EveryMarginalEqualsTheInMemorySplitsCounts(string kind)
    {
        var schema = EngineSourceFixture.Schema(personKey: false);
        var streams = new SecretStreams(SecretStreams.NewKey());
        using var table = EngineTable.Open(Source(kind), data.Options());
        var inspection = table.Inspect(schema);
        var split = new EngineSplit(table, schema, 1, Holdout, streams);

        var expected = InMemory(schema, streams, maxRowsPerPerson: null);
        Assert.Equal(EngineSourceFixture.Rows, inspection.Rows);
        AssertSameMarginals(expected.Train, split);
        Assert.Equal((expected.Train.RowCount, expected.Holdout.RowCount), ((int)split.SideCounts().Train, (int)split.SideCounts().Holdout));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Given_APersonKey_When_BoundedAndSplitInTheEngine_Then_TheKeptRowsAndSidesAreThoseOfTheInMemoryCoins(string kind)
    {
        var schema = EngineSourceFixture.Schema(personKey: true);
        var streams = new SecretStreams(SecretStreams.NewKey());
        using var table = EngineTable.Open(Source(kind), data.Options());
        table.Inspect(schema);
        var split = new EngineSplit(table, schema, 2, Holdout, streams);

        var expected = InMemory(schema, streams, maxRowsPerPerson: 2);
        AssertSameMarginals(expected.Train, split);
        var (train, holdout) = split.SideCounts();
        Assert.Equal(expected.Train.RowCount + expected.Holdout.RowCount, (int)(train + holdout));
        Assert.True(train + holdout < EngineSourceFixture.Rows, "bounding to 2 rows per person drops rows");
    }

    [Fact]
    public void Given_TheEnginesSha256_When_ACoinIsComputedInSql_Then_ItIsHmacSha256OfTheUnitUnderTheCoinKey()
    {
        var coin = new SecretStreams(SecretStreams.NewKey()).Coin(RandomPurpose.Split);
        var units = new[] { "p1", "ünïcödé", "a'b\"c", "", new string('x', 200) };
        foreach (var (kind, threshold) in new[] { ("postgres", 0.5), ("csv", 0.5), ("csv", 0.01) })
        {
            using var table = EngineTable.Open(Source(kind), data.Options());
            foreach (var unit in units)
            {
                double expected = coin.Uniform(Encoding.UTF8.GetBytes(unit));
                Assert.Equal(expected < threshold, table.CoinBelow(coin, unit, threshold));
            }
        }
    }

    [Fact]
    public void Given_HostileNamesAndCategories_When_CountedOnPostgres_Then_NoStatementRunsAndTheSentinelTableStands()
    {
        var schema = EngineSourceFixture.Schema(personKey: true);
        using (var table = EngineTable.Open(Source("postgres"), data.Options()))
        {
            table.Inspect(schema);
            var split = new EngineSplit(table, schema, 3, Holdout, new SecretStreams(SecretStreams.NewKey()));
            var counts = split.Count([0]);
            Assert.True(counts[2] > 0, "the hostile category is counted as a category");
        }

        using var connection = new NpgsqlConnection(data.WarehouseConnection);
        connection.Open();
        using var check = new NpgsqlCommand("SELECT to_regclass('clinic.sentinel') IS NOT NULL", connection);
        Assert.True((bool)check.ExecuteScalar()!);
    }

    [Fact]
    public void Given_AQueryThatWrites_When_RunAsASource_Then_TheReadOnlyTransactionRefusesIt()
    {
        var source = new EngineSource(SourceKind.Postgres, Connection: "warehouse", Query: "SELECT v.*, nextval('clinic.counter') AS n FROM clinic.visits v");
        using var table = EngineTable.Open(source, data.Options());
        var problem = Assert.Throws<SourceProblemException>(() => table.Inspect(EngineSourceFixture.Schema(personKey: false)));
        Assert.Equal(SourceProblemKind.RelationMissing, problem.Kind);
        Assert.Contains("read-only", problem.Message);
    }

    [Fact]
    public void Given_BadSources_When_Inspected_Then_EachNamesItsProblem()
    {
        var schema = EngineSourceFixture.Schema(personKey: false);
        var options = data.Options(("down", "Host=127.0.0.1;Port=1;Username=x;Password=y;Timeout=2"));
        Assert.Equal(SourceProblemKind.UnknownConnection, Problem(new EngineSource(SourceKind.Postgres, Connection: "nowhere", Relation: "clinic.visits")).Kind);
        Assert.Equal(SourceProblemKind.Unreachable, Problem(new EngineSource(SourceKind.Postgres, Connection: "down", Relation: "clinic.visits")).Kind);
        Assert.Equal(SourceProblemKind.RelationMissing, Problem(Source("postgres", "clinic.missing")).Kind);
        var renamed = Problem(Source("postgres", "clinic.renamed"));
        Assert.Equal(SourceProblemKind.ColumnMismatch, renamed.Kind);
        Assert.Contains("is missing", renamed.Message);
        var outOfDomain = Problem(Source("postgres", "clinic.bad_age"));
        Assert.Equal(SourceProblemKind.OutOfDomain, outOfDomain.Kind);
        Assert.Contains("column 'age' has 3 values", outOfDomain.Message);
        Assert.Equal(SourceProblemKind.FileRefused, Problem(new EngineSource(SourceKind.File, Path: "/etc/passwd.csv")).Kind);
        Assert.Equal(SourceProblemKind.FileRefused, Problem(new EngineSource(SourceKind.File, Path: Path.Combine(data.Folder, "..", "elsewhere.csv"))).Kind);
        // A view answers like its table.
        using var view = EngineTable.Open(Source("postgres", "clinic.adults"), options);
        Assert.Equal(EngineSourceFixture.Rows, view.Inspect(schema).Rows);

        SourceProblemException Problem(EngineSource source) => Assert.Throws<SourceProblemException>(() =>
        {
            using var table = EngineTable.Open(source, options);
            table.Inspect(schema);
        });
    }

    [Fact]
    public void Given_AFileSource_When_ItIsInspectedTwice_Then_TheFingerprintIsTheFilesSha256AndStable()
    {
        var schema = EngineSourceFixture.Schema(personKey: false);
        string Fingerprint()
        {
            using var table = EngineTable.Open(Source("parquet"), data.Options());
            return table.Inspect(schema).Fingerprint;
        }

        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(data.ParquetPath))), Fingerprint());
        using var pg = EngineTable.Open(Source("postgres"), data.Options());
        using var again = EngineTable.Open(Source("postgres"), data.Options());
        Assert.Equal(pg.Inspect(schema).Fingerprint, again.Inspect(schema).Fingerprint);
    }

    [Fact]
    public void Given_TheSameTrainingRows_When_SynthesisedFromTheEngineAndFromMemory_Then_TheRunsAreIdentical()
    {
        var schema = EngineSourceFixture.Schema(personKey: false);
        var streams = new SecretStreams(SecretStreams.NewKey());
        using var table = EngineTable.Open(Source("csv"), data.Options());
        var split = new EngineSplit(table, schema, 1, Holdout, streams);
        var options = new SynthesisOptions { Epsilon = 1, Seed = 7 };

        var engine = Synthesizer.Run(new EngineMarginalSource(split, 1_000_000), options);
        var memory = Synthesizer.Run(new TableMarginalSource(InMemory(schema, streams, null).Train), options);

        Assert.Equal(memory.Measurements.Select(m => m.Values), engine.Measurements.Select(m => m.Values));
        for (int j = 0; j < memory.Table.ColumnCount; j++) Assert.Equal(memory.Table.Column(j).ToArray(), engine.Table.Column(j).ToArray());
    }

    [Fact]
    public void Given_ASampleRate_When_TheEngineDrawsTheEvaluationSample_Then_WholePersonsOfBothSidesAreDrawnAtThatRate()
    {
        var schema = EngineSourceFixture.Schema(personKey: true);
        using var table = EngineTable.Open(Source("postgres"), data.Options());
        var split = new EngineSplit(table, schema, 1, Holdout, new SecretStreams(SecretStreams.NewKey()));
        var (allTrain, allHoldout) = split.Sample(1);
        var (train, holdout) = split.Sample(0.5);
        // Each person keeps one row (k = 1): about half of each side, with a binomial tolerance of 5 standard deviations.
        Assert.InRange(train.RowCount, allTrain.RowCount * 0.5 - 5 * Math.Sqrt(allTrain.RowCount * 0.25), allTrain.RowCount * 0.5 + 5 * Math.Sqrt(allTrain.RowCount * 0.25));
        Assert.InRange(holdout.RowCount, allHoldout.RowCount * 0.5 - 5 * Math.Sqrt(allHoldout.RowCount * 0.25), allHoldout.RowCount * 0.5 + 5 * Math.Sqrt(allHoldout.RowCount * 0.25));
        Assert.Equal(split.SideCounts(), ((long)allTrain.RowCount, (long)allHoldout.RowCount));
    }

    /// <summary>The CSV read in memory, bounded and split by the same keyed coins over the same unit texts, in C#.</summary>
    private (EncodedTable Train, EncodedTable Holdout) InMemory(DatasetSchema schema, SecretStreams streams, int? maxRowsPerPerson)
    {
        using var stream = File.OpenRead(data.CsvPath);
        var persons = File.ReadLines(data.CsvPath).Skip(1).Select(line => line[..line.IndexOf(',', StringComparison.Ordinal)]).ToArray();
        var read = CsvTableReader.Read(stream, EngineSourceFixture.Schema(personKey: true)); // the file holds the person column either way
        string Content(int row) => string.Join(",", Enumerable.Range(0, read.ColumnCount).Select(j => read.Column(j)[row]));
        IEnumerable<int> rows = Enumerable.Range(0, read.RowCount);
        if (maxRowsPerPerson is int k)
        {
            var bounding = streams.Coin(RandomPurpose.Bounding);
            rows = rows.GroupBy(r => persons[r]).SelectMany(g => g
                .OrderBy(r => bounding.Uniform(Encoding.UTF8.GetBytes(persons[r] + "\u001f" + Content(r)))).ThenBy(Content, StringComparer.Ordinal).Take(k));
        }

        var split = streams.Coin(RandomPurpose.Split);
        var sides = rows.Order().ToLookup(r => split.Uniform(Encoding.UTF8.GetBytes(maxRowsPerPerson is null ? Content(r) : persons[r])) < Holdout);
        return (read.SelectRows(sides[false].ToArray()), read.SelectRows(sides[true].ToArray()));
    }

    private static void AssertSameMarginals(EncodedTable train, EngineSplit split)
    {
        var memory = new TableMarginalSource(train);
        var engine = new EngineMarginalSource(split, 1_000_000);
        int d = train.ColumnCount;
        for (int a = 0; a < d; a++)
        {
            Assert.Equal(memory.Count([a]), engine.Count([a]));
            for (int b = a + 1; b < d; b++) Assert.Equal(memory.Count([a, b]), engine.Count([a, b]));
        }

        Assert.Equal(1, engine.Queries); // every 1- and 2-way marginal in one pass
        Assert.Equal(memory.Count([d - 1, 0]), engine.Count([d - 1, 0])); // another order: one more query
        Assert.Equal(2, engine.Queries);
    }
}
