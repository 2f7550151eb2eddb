using System.Globalization;
using System.Text;
using Npgsql;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Datasets.Sources;
using ReleaseGateway.Testing;

namespace ReleaseGateway.Synthesis.Tests.Sources;

/// <summary>
/// One generated table with every column type and hostile names, in three places: a CSV file and a Parquet file (read by
/// DuckDB) and a table of a throw-away PostgreSQL warehouse, beside a sentinel table an injection would drop.
/// </summary>
public sealed class EngineSourceFixture : IAsyncLifetime
{
    /// <summary>A column name and a category that would end the quoted identifier or string and run a statement.</summary>
    public const string HostileColumn = "diag\"); DROP TABLE clinic.sentinel; --";
    public const string HostileCategory = "x'); DROP TABLE clinic.sentinel; --";

    public const int Rows = 3000;
    public const int Persons = 700;

    public string Folder { get; } = Directory.CreateTempSubdirectory("rgw-engine-sources-").FullName;

    public string CsvPath => Path.Combine(Folder, "visits.csv");

    public string ParquetPath => Path.Combine(Folder, "visits.parquet");

    public string WarehouseConnection { get; private set; } = "";

    public static DatasetSchema Schema(bool personKey) => DatasetSchema.Parse($$"""
        {"columns": [
          {{(personKey ? "{\"name\": \"patient\", \"type\": \"identifier\", \"role\": \"personKey\"}," : "")}}
          {"name": {{System.Text.Json.JsonSerializer.Serialize(HostileColumn)}}, "type": "categorical", "categories": ["a", "b", {{System.Text.Json.JsonSerializer.Serialize(HostileCategory)}}], "missing": true},
          {"name": "age", "type": "integer", "min": 18, "max": 90, "bins": 8},
          {"name": "visits", "type": "integer", "min": 0, "max": 12},
          {"name": "bmi", "type": "continuous", "min": 15, "max": 45, "binEdges": [15, 18.5, 25, 30, 45]},
          {"name": "seen", "type": "date", "min": "2020-01-01", "max": "2022-12-31", "granularity": "month", "missing": true}
        ]}
        """);

    public EngineSourceOptions Options(params (string Name, string ConnectionString)[] extra)
    {
        var options = new EngineSourceOptions { FileRoots = [Folder], DuckDbMemoryLimit = "256MB", DuckDbThreads = 1 };
        options.Connections["warehouse"] = WarehouseConnection;
        foreach (var (name, cs) in extra) options.Connections[name] = cs;
        return options;
    }

    public async Task InitializeAsync()
    {
        var random = new Random(20261207);
        string[] categories = ["a", "b", HostileCategory];
        var rows = Enumerable.Range(0, Rows).Select(i => new Row(
            $"p{random.Next(Persons)}",
            random.NextDouble() < 0.05 ? null : categories[random.Next(3)],
            18 + random.Next(73),
            random.Next(13),
            Math.Round(15 + 30 * random.NextDouble(), 2),
            random.NextDouble() < 0.1 ? null : new DateOnly(2020, 1, 1).AddDays(random.Next(1096)))).ToList();

        var csv = new StringBuilder();
        csv.Append("patient,\"").Append(HostileColumn.Replace("\"", "\"\"", StringComparison.Ordinal)).AppendLine("\",age,visits,bmi,seen");
        foreach (var r in rows)
            csv.AppendLine(string.Join(',', r.Patient, r.Diag is null ? "" : "\"" + r.Diag.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"",
                r.Age.ToString(CultureInfo.InvariantCulture), r.Visits.ToString(CultureInfo.InvariantCulture), r.Bmi.ToString("R", CultureInfo.InvariantCulture),
                r.Seen?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? ""));
        await File.WriteAllTextAsync(CsvPath, csv.ToString());
        using (var duck = new DuckDB.NET.Data.DuckDBConnection("DataSource=:memory:"))
        {
            duck.Open();
            using var copy = duck.CreateCommand();
            copy.CommandText = $"COPY (SELECT * FROM read_csv('{CsvPath}', header = true)) TO '{ParquetPath}' (FORMAT parquet)";
            copy.ExecuteNonQuery();
        }

        WarehouseConnection = await PostgresCluster.Shared.CreateDatabaseAsync("engine_sources_warehouse");
        await using var connection = new NpgsqlConnection(WarehouseConnection);
        await connection.OpenAsync();
        string quoted = "\"" + HostileColumn.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        await using (var create = new NpgsqlCommand($"""
            CREATE SCHEMA clinic;
            CREATE TABLE clinic.sentinel (x int);
            CREATE SEQUENCE clinic.counter;
            CREATE TABLE clinic.visits (patient text NOT NULL, {quoted} text, age integer, visits smallint, bmi double precision, seen date);
            CREATE VIEW clinic.adults AS SELECT * FROM clinic.visits WHERE age >= 18;
            CREATE TABLE clinic.renamed (patient text, diagnosis text, age integer, visits integer, bmi double precision, seen date);
            CREATE TABLE clinic.bad_age AS SELECT * FROM clinic.visits;
            """, connection))
            await create.ExecuteNonQueryAsync();
        await using (var import = await connection.BeginBinaryImportAsync($"COPY clinic.visits (patient, {quoted}, age, visits, bmi, seen) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var r in rows)
            {
                await import.StartRowAsync();
                await import.WriteAsync(r.Patient);
                if (r.Diag is null) await import.WriteNullAsync(); else await import.WriteAsync(r.Diag);
                await import.WriteAsync(r.Age);
                await import.WriteAsync((short)r.Visits);
                await import.WriteAsync(r.Bmi);
                if (r.Seen is null) await import.WriteNullAsync(); else await import.WriteAsync(r.Seen.Value, NpgsqlTypes.NpgsqlDbType.Date);
            }
            await import.CompleteAsync();
        }
        await using (var bad = new NpgsqlCommand("INSERT INTO clinic.bad_age SELECT * FROM clinic.visits; UPDATE clinic.bad_age SET age = 130 WHERE ctid IN (SELECT ctid FROM clinic.bad_age LIMIT 3)", connection))
            await bad.ExecuteNonQueryAsync();
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }

    private sealed record Row(string Patient, string? Diag, int Age, int Visits, double Bmi, DateOnly? Seen);
}
