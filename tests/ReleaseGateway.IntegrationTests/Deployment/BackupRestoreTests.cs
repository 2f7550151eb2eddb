using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.Testing;
using static ReleaseGateway.IntegrationTests.Requests.RequestsApi;

namespace ReleaseGateway.IntegrationTests.Deployment;

/// <summary>
/// The backup procedure of docs/deployment.md: <c>pg_dump</c> of the database plus the storage key is everything.
/// Restored into a fresh PostgreSQL cluster and opened by a node on an empty data folder with the same key, the audit
/// chain verifies, people sign in with their old passwords and the release downloads with its recorded hashes.
/// </summary>
public sealed class BackupRestoreTests : IAsyncLifetime
{
    private const string Dataset = "backup";
    private static readonly string Bin = System.Environment.GetEnvironmentVariable("RGW_PG_BIN") ?? "/usr/lib/postgresql/15/bin";
    private readonly List<IDisposable> _cleanup = [];
    private string _policies = null!;

    public Task InitializeAsync()
    {
        _policies = Directory.CreateTempSubdirectory("rgw-backup-policies-").FullName;
        File.Copy(Path.Combine(RepositoryPaths.Root, "policies", "default.yaml"), Path.Combine(_policies, "default.yaml"));
        File.WriteAllText(Path.Combine(_policies, Dataset + ".yaml"), PipelineTestPolicy.Yaml());
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        foreach (var item in _cleanup) item.Dispose();
        Directory.Delete(_policies, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Given_ADumpAndTheStorageKey_When_RestoredIntoAFreshCluster_Then_TheAuditVerifiesAndTheReleaseDownloads()
    {
        var name = "rgw_backup_" + Guid.NewGuid().ToString("N")[..12];
        var original = new GatewayCluster(await PostgresCluster.Shared.CreateDatabaseAsync(name), _policies);
        _cleanup.Add(original);
        var node = await original.StartAsync("origin");
        var (researcherEmail, researcherPassword) = NewCredentials(Roles.Researcher);
        var steward = await SignInAsync(original, node, Roles.DataSteward);
        var researcher = await SignInAsync(original, node, Roles.Researcher, researcherEmail, researcherPassword);
        var memberA = await SignInAsync(original, node, Roles.CommitteeMember);
        var memberB = await SignInAsync(original, node, Roles.CommitteeMember);

        var schema = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.SharedData, "gbsg-domain.json")));
        var registered = await Json(await node.Client(steward).PostAsJsonAsync("/datasets",
            new { name = Dataset, description = "German Breast Cancer Study Group (survival::gbsg), integer-coded", owner = "GBSG", schema }), HttpStatusCode.Created);
        var datasetId = Guid.Parse((string)registered["id"]!);
        var csv = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.SharedData, "gbsg-disc.csv"));
        await Json(await node.Client(steward).PutAsync($"/datasets/{datasetId}/source", new StringContent(csv, Encoding.UTF8, "text/csv")), HttpStatusCode.OK);
        var created = await Json(await node.Client(researcher).PostAsJsonAsync("/requests", new
        {
            datasetId, title = "Recurrence model", purpose = "Model recurrence-free survival", justification = "Treatment effect study",
            intendedUse = "Academic research", columns = new[] { "age", "size", "grade", "nodes", "status" }, epsilon = 1.0, rows = 200,
            generator = (string?)null, accessDays = 30,
        }), HttpStatusCode.Created);
        var requestId = Guid.Parse((string)created["id"]!);
        await Json(await node.Client(steward).PostAsync($"/decisions/{requestId}/accept-for-review", null), HttpStatusCode.OK);
        await Json(await node.Client(memberA).PostAsJsonAsync($"/decisions/{requestId}/votes", new { decision = "approve", reason = "Proportionate" }), HttpStatusCode.OK);
        await Json(await node.Client(memberB).PostAsJsonAsync($"/decisions/{requestId}/votes", new { decision = "approve", reason = "Justified" }), HttpStatusCode.OK);
        var state = await Eventually.ValueAsync(async () => (string?)(await Json(await node.Client(researcher).GetAsync($"/requests/{requestId}"), HttpStatusCode.OK))["state"],
            s => s is "Released" or "Blocked", s => $"request stayed {s}", TimeSpan.FromMinutes(8), TimeSpan.FromMilliseconds(300));
        Assert.Equal("Released", state);
        var release = await LatestReleaseAsync(node.Client(researcher), requestId);
        var signingKey = await (await node.Client(researcher).GetAsync("/.well-known/rgw-signing-key.pem")).Content.ReadAsStringAsync();
        node.Kill();

        // Backup: the dump (custom format) and, kept apart from it, the storage key.
        var dump = Path.Combine(Directory.CreateTempSubdirectory("rgw-dump-").FullName, "rgw.dump");
        var source = new NpgsqlConnectionStringBuilder(original.Postgres);
        Run("pg_dump", "-h", source.Host!, "-p", source.Port.ToString(), "-U", source.Username!, "-Fc", "-f", dump, source.Database!);

        // Restore into a cluster that has never seen the gateway, and open it with the key alone.
        var fresh = PostgresCluster.StartNew(durable: false);
        var restoredConnection = await fresh.CreateDatabaseAsync("rgw");
        var target = new NpgsqlConnectionStringBuilder(restoredConnection);
        Run("pg_restore", "-h", target.Host!, "-p", target.Port.ToString(), "-U", target.Username!, "--no-owner", "--exit-on-error", "-d", target.Database!, dump);
        var restored = new GatewayCluster(restoredConnection, _policies, original.StorageKey);
        _cleanup.Add(restored);

        var verify = await Rgw.RunAsync(restored.Environment(Directory.CreateTempSubdirectory("rgw-verify-").FullName), null, "audit", "verify");
        Assert.True(verify.ExitCode == 0, verify.Stdout + verify.Stderr);

        var again = await restored.StartAsync("restored");
        using var browser = new Browser(again.Address);
        var token = (await OAuth.SignInWithAuthorizationCodeAsync(browser, new TestUser(Guid.Empty, researcherEmail, researcherPassword, [Roles.Researcher]))).AccessToken;
        var after = await LatestReleaseAsync(again.Client(token), requestId);
        Assert.Equal("Published", (string?)after["status"]);
        foreach (var artifact in release["artifacts"]!.AsArray())
        {
            var response = await again.Client(token).GetAsync($"/releases/{release["id"]}/artifacts/{artifact!["name"]}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal((string)artifact["sha256"]!, Convert.ToHexStringLower(SHA256.HashData(await response.Content.ReadAsByteArrayAsync())));
        }
        // The same signing key: manifests signed before the backup still verify against the restored gateway's key.
        Assert.Contains("BEGIN PUBLIC KEY", signingKey);
        Assert.Equal(signingKey, await (await again.Client(token).GetAsync("/.well-known/rgw-signing-key.pem")).Content.ReadAsStringAsync());

        // The dump alone opens nothing: with another storage key the sealed signing key does not open.
        var wrongKey = new GatewayCluster(restoredConnection, _policies);
        _cleanup.Add(wrongKey);
        var refused = await Rgw.RunAsync(wrongKey.Environment(Directory.CreateTempSubdirectory("rgw-wrong-").FullName), null,
            "audit", "checkpoint", "--out", Path.Combine(Path.GetTempPath(), $"rgw-checkpoint-{Guid.NewGuid():N}.json"));
        Assert.NotEqual(0, refused.ExitCode);
    }

    private static async Task<JsonObject> LatestReleaseAsync(HttpClient client, Guid requestId)
    {
        var releases = await JsonArrayOf(await client.GetAsync($"/requests/{requestId}/releases"));
        return releases.Last()!["release"]!.AsObject();
    }

    private static async Task<JsonArray> JsonArrayOf(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsArray();
    }

    private static (string Email, string Password) NewCredentials(string role) =>
        ($"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@example.test", "pw-" + Guid.NewGuid().ToString("N"));

    private static async Task<string> SignInAsync(GatewayCluster cluster, GatewayNode node, string role, string? email = null, string? password = null)
    {
        if (email is null) (email, password) = NewCredentials(role);
        var added = await Rgw.RunAsync(cluster.Environment(node.DataDirectory), password + "\n", "users", "add", "--email", email, "--role", role, "--password-stdin");
        Assert.True(added.ExitCode == 0, added.Stderr + added.Stdout);
        using var browser = new Browser(node.Address);
        return (await OAuth.SignInWithAuthorizationCodeAsync(browser, new TestUser(Guid.Empty, email, password!, [role]))).AccessToken;
    }

    private static void Run(string tool, params string[] arguments)
    {
        var info = new ProcessStartInfo(Path.Combine(Bin, tool)) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{tool} exited {process.ExitCode}: {stderr.Result}");
    }
}
