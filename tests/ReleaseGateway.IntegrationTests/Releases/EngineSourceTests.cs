using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.Testing;
using static ReleaseGateway.IntegrationTests.Requests.RequestsApi;

namespace ReleaseGateway.IntegrationTests.Releases;

/// <summary>
/// A hospital's warehouse (a database of the test cluster with the gbsg table, a renamed copy and a copy with values out
/// of the domain) and a folder of large files the gateway may read, configured by name as a deployment would.
/// </summary>
internal static class Warehouse
{
    private static readonly Lazy<(string ConnectionString, string Folder)> Shared = new(() => CreateAsync().GetAwaiter().GetResult());

    public static string CsvPath => Path.Combine(Shared.Value.Folder, "gbsg.csv");

    public static void Apply(IDictionary<string, string?> settings)
    {
        PipelinePolicies.Apply(settings);
        settings["ReleaseGateway:Sources:Connections:warehouse"] = Shared.Value.ConnectionString;
        settings["ReleaseGateway:Sources:Connections:down"] = "Host=127.0.0.1;Port=1;Username=rgw;Password=secret;Timeout=2";
        settings["ReleaseGateway:Sources:FileRoots:0"] = Shared.Value.Folder;
        settings["ReleaseGateway:Sources:DuckDbThreads"] = "1";
    }

    private static async Task<(string, string)> CreateAsync()
    {
        var folder = Directory.CreateTempSubdirectory("rgw-it-files-").FullName;
        var csv = Path.Combine(RepositoryPaths.SharedData, $"{ReleaseScenario.Table}-disc.csv");
        File.Copy(csv, Path.Combine(folder, "gbsg.csv"));
        var connectionString = await PostgresCluster.Shared.CreateDatabaseAsync("it_warehouse");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var columns = string.Join(", ", ReleaseScenario.Columns.Select(c => $"{c} integer"));
        await using (var create = new NpgsqlCommand($"CREATE SCHEMA clinic; CREATE TABLE clinic.gbsg ({columns});", connection))
            await create.ExecuteNonQueryAsync();
        await using (var writer = await connection.BeginTextImportAsync("COPY clinic.gbsg FROM STDIN (FORMAT csv, HEADER true)"))
            await writer.WriteAsync(await File.ReadAllTextAsync(csv));
        await using (var copies = new NpgsqlCommand("""
            CREATE TABLE clinic.gbsg_renamed AS SELECT * FROM clinic.gbsg; ALTER TABLE clinic.gbsg_renamed RENAME COLUMN grade TO tumour_grade;
            CREATE TABLE clinic.gbsg_bad AS SELECT * FROM clinic.gbsg; UPDATE clinic.gbsg_bad SET age = 99 WHERE ctid IN (SELECT ctid FROM clinic.gbsg_bad LIMIT 2);
            """, connection))
            await copies.ExecuteNonQueryAsync();
        return (connectionString, folder);
    }
}

public sealed class SqliteSourcesHost : SqliteGatewayHost
{
    protected override void Configure(IDictionary<string, string?> settings) => Warehouse.Apply(settings);
}

public sealed class PostgresSourcesHost : PostgresGatewayHost
{
    protected override void Configure(IDictionary<string, string?> settings) => Warehouse.Apply(settings);
}

public sealed class EngineSourceTestsOnSqlite(SqliteSourcesHost host) : EngineSourceTests<SqliteSourcesHost>(host);

public sealed class EngineSourceTestsOnPostgres(PostgresSourcesHost host) : EngineSourceTests<PostgresSourcesHost>(host);

/// <summary>
/// Sources kept in a database engine (ADR 0038) over HTTP with real tokens: a PostgreSQL table and a CSV file read by
/// DuckDB, each refused with its RG code when it is wrong (nothing stored), then taken from request to a published
/// release, with the snapshot's fingerprint in the audit log and the committee's report saying it was evaluated on a sample.
/// </summary>
public abstract class EngineSourceTests<THost>(THost host) : IClassFixture<THost> where THost : GatewayHost
{
    [Fact]
    public async Task Given_AWarehouseTable_When_BadConnectionsAreRefusedAndTheTableIsConnected_Then_ItIsReleasedFromTheEngine()
    {
        var s = await RegisterAsync("warehouse");
        await RefusedAsync(s, new { kind = "Postgres", connection = "nowhere", relation = "clinic.gbsg" }, HttpStatusCode.BadRequest, "RG2101");
        await RefusedAsync(s, new { kind = "Postgres", connection = "down", relation = "clinic.gbsg" }, HttpStatusCode.BadGateway, "RG2102");
        await RefusedAsync(s, new { kind = "Postgres", connection = "warehouse", relation = "clinic.missing" }, HttpStatusCode.UnprocessableEntity, "RG2103");
        var mismatch = await RefusedAsync(s, new { kind = "Postgres", connection = "warehouse", relation = "clinic.gbsg_renamed" }, HttpStatusCode.UnprocessableEntity, "RG2104");
        Assert.Contains("'grade' is missing", (string?)mismatch["detail"]);
        var domain = await RefusedAsync(s, new { kind = "Postgres", connection = "warehouse", relation = "clinic.gbsg_bad" }, HttpStatusCode.UnprocessableEntity, "RG2105");
        Assert.Contains("column 'age' has 2 values", (string?)domain["detail"]);
        await RefusedAsync(s, new { kind = "Postgres", connection = "warehouse", relation = "clinic.gbsg", query = "SELECT 1" }, HttpStatusCode.BadRequest, "RG2100");
        await RefusedAsync(s, new { kind = "Postgres", connection = "warehouse", query = "SELECT * FROM clinic.gbsg; DROP TABLE clinic.gbsg" }, HttpStatusCode.BadRequest, "RG2100");

        await ReleasedAsync(s, new { kind = "Postgres", connection = "warehouse", query = "SELECT * FROM clinic.gbsg WHERE age >= 0" });
    }

    [Fact]
    public async Task Given_ALargeFile_When_AFileOutsideTheRootsIsRefusedAndTheFileIsConnected_Then_ItIsReleasedThroughDuckDb()
    {
        var s = await RegisterAsync("bigfile");
        await RefusedAsync(s, new { kind = "File", path = "/etc/hostname.csv" }, HttpStatusCode.UnprocessableEntity, "RG2106");
        await RefusedAsync(s, new { kind = "File", path = "relative/gbsg.csv" }, HttpStatusCode.UnprocessableEntity, "RG2106");

        await ReleasedAsync(s, new { kind = "File", path = Warehouse.CsvPath });
    }

    [Fact]
    public async Task Given_TheCommandLine_When_AStewardConnectsSources_Then_AFileIsConnectedAndAnUnknownConnectionIsRefusedWithItsCode()
    {
        var folder = Directory.CreateTempSubdirectory("rgw-cli-sources-").FullName;
        var user = await host.CreateUserAsync(Roles.DataSteward);
        var credentials = Path.Combine(folder, "steward.json");
        var environment = new Dictionary<string, string?> { ["ReleaseGateway__DataDirectory"] = host.DataDirectory, ["ConnectionStrings__Postgres"] = host.PostgresConnectionString };
        var login = await Rgw.RunAsync(environment, user.Password + "\n", "login", "--gateway", host.BaseAddress.ToString(), "--user", user.Email,
            "--password-stdin", "--credentials", credentials);
        Assert.True(login.ExitCode == 0, login.Stderr);
        async Task<Rgw.Result> As(params string[] arguments) => await Rgw.RunAsync(environment, null, [.. arguments, "--credentials", credentials]);
        var schema = Path.Combine(RepositoryPaths.SharedData, $"{ReleaseScenario.Table}-domain.json");
        foreach (var name in new[] { "cli-file", "cli-pg" })
        {
            var registered = await As("datasets", "register", "--name", name, "--owner", "GBSG", "--description", "gbsg", "--schema", schema, "--quiet");
            Assert.True(registered.ExitCode == 0, registered.Stderr);
        }

        var connected = await As("datasets", "connect", "cli-file", "--file", Warehouse.CsvPath);
        Assert.True(connected.ExitCode == 0, connected.Stderr);
        Assert.Contains("686 rows", connected.Stdout);
        var refused = await As("datasets", "connect", "cli-pg", "--postgres", "nowhere", "--relation", "clinic.gbsg");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("RG2101", refused.Stderr);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Given_ASchemaWithABoundsOnlyColumn_When_AnEngineSourceIsConnected_Then_RG3101AndNothingIsStored()
    {
        // rfstime declared by its bounds only: its edges would need DP quantiles over raw values the engine keeps (ADR 0037).
        var domain = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.SharedData, $"{ReleaseScenario.Table}-domain.json")))!.AsObject();
        var columns = new JsonArray([.. domain.Select(c => (JsonNode)(c.Key == "rfstime"
            ? new JsonObject { ["name"] = c.Key, ["type"] = "continuous", ["min"] = 0, ["max"] = (int)c.Value! - 1 }
            : new JsonObject { ["name"] = c.Key, ["type"] = "integer", ["min"] = 0, ["max"] = (int)c.Value! - 1 }))]);
        var s = await RegisterAsync("bigfile-dp-bins", new JsonObject { ["columns"] = columns });

        var problem = await RefusedAsync(s, new { kind = "File", path = Warehouse.CsvPath }, HttpStatusCode.BadRequest, "RG3101");

        Assert.Contains("'rfstime'", (string?)problem["detail"]);
    }

    private async Task<ReleaseScenario> RegisterAsync(string name, JsonNode? schemaOverride = null)
    {
        var steward = (await host.CreateClientForRoleAsync(Roles.DataSteward)).Client;
        var (researcher, researcherUser) = await host.CreateClientForRoleAsync(Roles.Researcher);
        var members = new List<HttpClient>();
        for (var i = 0; i < 2; i++) members.Add((await host.CreateClientForRoleAsync(Roles.CommitteeMember)).Client);
        var compliance = (await host.CreateClientForRoleAsync(Roles.ComplianceOfficer)).Client;
        var schema = schemaOverride ?? JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.SharedData, $"{ReleaseScenario.Table}-domain.json")));
        var registered = await Json(await steward.PostAsJsonAsync("/datasets",
            new { name, description = "German Breast Cancer Study Group (survival::gbsg), kept in the hospital's engine", owner = "GBSG", schema }),
            HttpStatusCode.Created);
        return new ReleaseScenario
        {
            Host = host, Steward = steward, Researcher = researcher, ResearcherUser = researcherUser, Members = members, Compliance = compliance,
            DatasetId = Guid.Parse((string)registered["id"]!),
        };
    }

    /// <summary>The connection is refused with <paramref name="code"/> and the dataset is exactly as before.</summary>
    private static async Task<JsonObject> RefusedAsync(ReleaseScenario s, object body, HttpStatusCode status, string code)
    {
        var before = await Json(await s.Steward.GetAsync($"/datasets/{s.DatasetId}"), HttpStatusCode.OK);
        var problem = await Problem(await s.Steward.PutAsJsonAsync($"/datasets/{s.DatasetId}/source/connection", body), status, code);
        Assert.Contains("Nothing was stored", (string?)problem["detail"]);
        var after = await Json(await s.Steward.GetAsync($"/datasets/{s.DatasetId}"), HttpStatusCode.OK);
        Assert.Equal(before.ToJsonString(), after.ToJsonString());
        Assert.False((bool)after["dataset"]!["sourceUploaded"]!);
        return problem;
    }

    private async Task ReleasedAsync(ReleaseScenario s, object body)
    {
        var connected = await Json(await s.Steward.PutAsJsonAsync($"/datasets/{s.DatasetId}/source/connection", body), HttpStatusCode.OK);
        Assert.True((bool)connected["sourceUploaded"]!);
        Assert.Equal(686, (long)connected["sourceRows"]!);
        var fingerprint = (string)connected["sourceSha256"]!;
        // The researcher sees that a source exists, never where it lives or its size.
        var seen = await Json(await s.Researcher.GetAsync($"/datasets/{s.DatasetId}"), HttpStatusCode.OK);
        Assert.Null(seen["dataset"]!["sourceRows"]);
        Assert.Null(seen["dataset"]!["source"]!["connection"]);
        Assert.Null(seen["dataset"]!["source"]!["path"]);
        Assert.Null(seen["dataset"]!["source"]!["query"]);

        var requestId = await s.SubmitAndAcceptAsync();
        await Json(await s.ApproveAsync(requestId), HttpStatusCode.OK);
        var details = await s.WaitForStateAsync(requestId, "Released", "Blocked");
        var release = await s.LatestReleaseAsync(requestId);
        Assert.True((string?)details["state"] == "Released", $"blocked: {release["blockedReason"]}");
        var releaseId = Guid.Parse((string)release["id"]!);
        var csv = await (await s.Researcher.GetAsync($"/releases/{releaseId}/artifacts/synthetic.csv")).Content.ReadAsStringAsync();
        Assert.Equal(501, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        // The snapshot's fingerprint is on the record (inside the boundary); the committee's report says it used a sample.
        var split = (await host.EventStore.FetchStreamAsync(releaseId, CancellationToken.None)).Select(e => e.Data).OfType<ReleaseSplitRecorded>().Single();
        Assert.Equal(fingerprint, split.SourceSha256);
        var report = await s.Members[0].GetStringAsync($"/releases/{releaseId}/evaluation-report");
        Assert.Contains("secret-coin sample drawn by the engine", report);
    }
}
