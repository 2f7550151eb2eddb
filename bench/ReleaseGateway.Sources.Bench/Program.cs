using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using Npgsql;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Datasets.Sources;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Synthesis.Marginals;
using ReleaseGateway.Synthesis.Synthesizers;
using ReleaseGateway.Testing;

// Synthesis from sources kept in a database engine (ADR 0038, docs/sources.md): time and the gateway process's peak
// memory at a given size, through DuckDB on a Parquet file or from a PostgreSQL table. Run each size in a fresh process
// (peak memory is per process), e.g. under /usr/bin/time -v:
//   dotnet run -c Release --project bench/ReleaseGateway.Sources.Bench -- generate --rows 1000000 --out /tmp/rgw-bench/t1m.parquet
//   dotnet run -c Release --project bench/ReleaseGateway.Sources.Bench -- synth --file /tmp/rgw-bench/t1m.parquet [--compare-memory]
//   dotnet run -c Release --project bench/ReleaseGateway.Sources.Bench -- synth --postgres-from /tmp/rgw-bench/t1m.parquet
// The table: 15 integer columns driven by one latent class z (8 values): column j equals (z·(j+1)) mod k_j with
// probability 0.6 and is uniform otherwise, so every pair is dependent through z (a known structure).
var arguments = args.ToList();
string Option(string name, string? fallback = null)
{
    int i = arguments.IndexOf(name);
    return i >= 0 && i + 1 < arguments.Count ? arguments[i + 1] : fallback ?? throw new ArgumentException($"missing {name}");
}

int[] domains = [8, 8, 16, 4, 32, 8, 8, 16, 4, 32, 8, 8, 16, 4, 32];
var schema = new DatasetSchema(domains.Select((k, j) => new ColumnSchema { Name = $"x{j}", Type = ColumnType.Integer, Min = 0, Max = k - 1 }));
string Select(string rowIndex) => string.Join(", ", domains.Select((k, j) =>
    $"CAST(CASE WHEN hash({rowIndex}, {j}) % 10 < 6 THEN (hash({rowIndex}, 99) % 8 * {j + 1}) % {k} ELSE hash({rowIndex}, {j + 100}) % {k} END AS INTEGER) AS x{j}"));

switch (arguments.FirstOrDefault())
{
    case "generate":
        {
            long rows = long.Parse(Option("--rows"), CultureInfo.InvariantCulture);
            string output = Path.GetFullPath(Option("--out"));
            Directory.CreateDirectory(Path.GetDirectoryName(output)!);
            var watch = Stopwatch.StartNew();
            using var duck = new DuckDBConnection("DataSource=:memory:");
            duck.Open();
            using var command = duck.CreateCommand();
            command.CommandText = $"SET memory_limit = '1GB'; COPY (SELECT {Select("range")} FROM range({rows})) TO '{output.Replace("'", "''", StringComparison.Ordinal)}' (FORMAT parquet)";
            command.ExecuteNonQuery();
            Console.WriteLine($"generated {rows} rows into {output} ({new FileInfo(output).Length / 1e6:F0} MB) in {watch.Elapsed.TotalSeconds:F0} s");
            return 0;
        }

    case "synth":
        {
            var options = new EngineSourceOptions { DuckDbMemoryLimit = Option("--duckdb-memory", "512MB"), TempDirectory = Path.GetTempPath() };
            EngineSource source;
            PostgresCluster? cluster = null; // stopped when the process exits
            var total = Stopwatch.StartNew();
            if (arguments.Contains("--postgres-from"))
            {
                // A throw-away cluster of the test suite's kind, loaded from the Parquet file (load time reported apart).
                string file = Path.GetFullPath(Option("--postgres-from"));
                cluster = PostgresCluster.StartNew(durable: false);
                string cs = await cluster.CreateDatabaseAsync("warehouse");
                var load = Stopwatch.StartNew();
                await using (var pg = new NpgsqlConnection(cs))
                {
                    await pg.OpenAsync();
                    await using (var create = new NpgsqlCommand($"CREATE TABLE public.bench ({string.Join(", ", domains.Select((_, j) => $"x{j} integer"))})", pg))
                        await create.ExecuteNonQueryAsync();
                    using var duck = new DuckDBConnection("DataSource=:memory:");
                    duck.Open();
                    using var read = duck.CreateCommand();
                    read.CommandText = $"SELECT * FROM read_parquet('{file.Replace("'", "''", StringComparison.Ordinal)}')";
                    using var reader = read.ExecuteReader();
                    await using var import = await pg.BeginBinaryImportAsync($"COPY public.bench FROM STDIN (FORMAT BINARY)");
                    while (reader.Read())
                    {
                        await import.StartRowAsync();
                        for (int j = 0; j < domains.Length; j++) await import.WriteAsync(reader.GetInt32(j), NpgsqlTypes.NpgsqlDbType.Integer);
                    }
                    await import.CompleteAsync();
                }
                Console.WriteLine($"loaded PostgreSQL in {load.Elapsed.TotalSeconds:F0} s (not counted below)");
                options.Connections["bench"] = cs;
                source = new EngineSource(SourceKind.Postgres, Connection: "bench", Relation: "public.bench");
            }
            else
            {
                string file = Path.GetFullPath(Option("--file"));
                options.FileRoots.Add(Path.GetDirectoryName(file)!);
                source = new EngineSource(SourceKind.File, Path: file);
            }

            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var streams = new SecretStreams(SecretStreams.NewKey());
            using var table = EngineTable.Open(source, options);
            var inspection = table.Inspect(schema);
            var inspect = watch.Elapsed;
            var split = new EngineSplit(table, schema, 1, 0.2, streams);
            var marginals = new EngineMarginalSource(split, options.PrefetchCells);
            var synthesis = new SynthesisOptions { Epsilon = 1, Delta = 1e-9, Seed = 1, Rows = 100_000 };
            var result = Synthesizer.Run(marginals, synthesis);
            var synth = watch.Elapsed - inspect;
            var (trainSample, holdoutSample) = split.Sample(Math.Min(1, 100_000 / result.EstimatedRecords));
            var sample = watch.Elapsed - inspect - synth;
            table.VerifyUnchanged();
            process.Refresh();
            double tvd = MeanPairTvd(result.Table, marginals);
            Console.WriteLine(FormattableString.Invariant(
                $"{source.Describe()}: {inspection.Rows} rows; check+fingerprint {inspect.TotalSeconds:F1} s, synthesis {synth.TotalSeconds:F1} s ({marginals.Queries} engine queries), evaluation sample {sample.TotalSeconds:F1} s ({trainSample.RowCount}+{holdoutSample.RowCount} rows); total {watch.Elapsed.TotalSeconds:F1} s wall, {(process.TotalProcessorTime - cpuBefore).TotalSeconds:F1} s gateway CPU; peak working set {process.PeakWorkingSet64 / 1e6:F0} MB; mean 2-way tvd {tvd:F4}"));
            if (arguments.Contains("--compare-memory"))
            {
                // The in-memory path on the very same training rows (fetched whole): same seed, same counts, so the same run.
                var (train, _) = split.Sample(1);
                var memory = Synthesizer.Run(new TableMarginalSource(train), synthesis);
                Console.WriteLine(FormattableString.Invariant($"in-memory path on the same {train.RowCount} training rows: mean 2-way tvd {MeanPairTvd(memory.Table, new TableMarginalSource(train)):F4}; identical synthetic table: {Enumerable.Range(0, memory.Table.ColumnCount).All(j => memory.Table.Column(j).SequenceEqual(result.Table.Column(j)))}"));
            }

            Console.WriteLine($"end to end {total.Elapsed.TotalSeconds:F0} s");
            return 0;
        }

    default:
        Console.Error.WriteLine("usage: generate --rows N --out FILE.parquet | synth (--file FILE | --postgres-from FILE.parquet) [--compare-memory] [--duckdb-memory 512MB]");
        return 2;
}

// Mean over all column pairs of the total variation distance between the synthetic and the training 2-way marginal.
static double MeanPairTvd(ReleaseGateway.Datasets.Data.EncodedTable synthetic, IMarginalSource truth)
{
    var fake = new TableMarginalSource(synthetic);
    int d = synthetic.ColumnCount;
    double sum = 0;
    int pairs = 0;
    for (int a = 0; a < d; a++)
    {
        for (int b = a + 1; b < d; b++)
        {
            double[] p = truth.Count([a, b]), q = fake.Count([a, b]);
            double np = p.Sum(), nq = q.Sum();
            sum += 0.5 * p.Zip(q, (x, y) => Math.Abs(x / np - y / nq)).Sum();
            pairs++;
        }
    }

    return sum / pairs;
}
