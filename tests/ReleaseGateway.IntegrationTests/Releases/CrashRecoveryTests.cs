using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.EventStore.Verification;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Testing;
using static ReleaseGateway.IntegrationTests.Requests.RequestsApi;

namespace ReleaseGateway.IntegrationTests.Releases;

public sealed class CrashRecoveryTestsOnSqlite : CrashRecoveryTests
{
    protected override Task<string?> CreatePostgresDatabaseAsync() => Task.FromResult<string?>(null);
}

public sealed class CrashRecoveryTestsOnPostgres : CrashRecoveryTests
{
    protected override async Task<string?> CreatePostgresDatabaseAsync() =>
        await PostgresCluster.Shared.CreateDatabaseAsync("rgw_crash_" + Guid.NewGuid().ToString("N")[..12]);
}

/// <summary>
/// The gateway as a real process, killed with SIGKILL in the middle of a pipeline step and started again on the same
/// data: interrupted generation fails closed exactly once and keeps its charge; interrupted evaluation resumes and
/// is recorded once; nothing is published without a completed evaluation; the audit chain stays intact.
/// </summary>
public abstract class CrashRecoveryTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("rgw-crash-").FullName;
    private string? _postgres;
    private Process? _gateway;
    // One address for both lives of the gateway: the signed-in clients keep talking to it across the restart.
    private readonly Uri _address = new($"http://127.0.0.1:{FreePort()}");

    protected abstract Task<string?> CreatePostgresDatabaseAsync();

    public async Task InitializeAsync() => _postgres = await CreatePostgresDatabaseAsync();

    public Task DisposeAsync()
    {
        Kill();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Given_ProcessKilledDuringGeneration_When_Restarted_Then_TheRequestIsBlockedExactlyOnceAndTheChargeStays()
    {
        await StartGatewayAsync();
        var (people, datasetId) = await SetUpAsync();
        var requestId = await ApprovedRequestAsync(people, datasetId);

        await WaitForAsync(people.Researcher, requestId, state => state == "Generating", TimeSpan.FromMilliseconds(20));
        Kill();
        await StartGatewayAsync();
        var blocked = await WaitForAsync(people.Researcher, requestId, state => state is "Blocked" or "Evaluating" or "Released", TimeSpan.FromMilliseconds(200));
        Assert.Equal("Blocked", (string?)blocked["state"]);
        Kill();

        var store = OpenStore();
        var request = await store.FetchStreamAsync(requestId);
        var releaseId = ReleaseIds.For(requestId, request.Single(e => e.Data is AccessRequestApproved).StreamVersion);
        var release = (await store.FetchStreamAsync(releaseId)).Select(e => e.EventType).ToList();
        Assert.Equal(1, release.Count(t => t == nameof(ReleaseBlocked)));
        Assert.DoesNotContain(nameof(SyntheticTableGenerated), release);
        Assert.DoesNotContain(nameof(ReleasePublished), release);
        Assert.Equal(1, request.Count(e => e.Data is AccessRequestAdvanced { Trigger: "block" }));
        var ledger = PrivacyBudgetLedger.Rebuild(datasetId, await store.FetchStreamAsync(PrivacyBudgetLedger.StreamIdFor(datasetId)));
        Assert.True(ledger.Entries[releaseId].Charged, "the charge must stay: the source table was read");
        var audit = await ChainVerifier.VerifyStoreAsync(store);
        Assert.True(audit.Intact, audit.Reason);
    }

    [Fact]
    public async Task Given_ProcessKilledDuringEvaluation_When_Restarted_Then_TheEvaluationResumesAndIsRecordedOnce()
    {
        await StartGatewayAsync();
        var (people, datasetId) = await SetUpAsync();
        var requestId = await ApprovedRequestAsync(people, datasetId);

        await WaitForAsync(people.Researcher, requestId, state => state == "Evaluating", TimeSpan.FromMilliseconds(20));
        Kill();
        await StartGatewayAsync();
        var done = await WaitForAsync(people.Researcher, requestId, state => state is "Blocked" or "Released", TimeSpan.FromMilliseconds(200));
        Kill();

        var store = OpenStore();
        var request = await store.FetchStreamAsync(requestId);
        var releaseId = ReleaseIds.For(requestId, request.Single(e => e.Data is AccessRequestApproved).StreamVersion);
        var release = (await store.FetchStreamAsync(releaseId)).Select(e => e.Data).ToList();
        var evaluated = Assert.Single(release.OfType<ReleaseEvaluated>());
        Assert.Equal(evaluated.Passed ? "Released" : "Blocked", (string?)done["state"]);
        Assert.Equal(evaluated.Passed ? 1 : 0, release.OfType<ReleasePublished>().Count());
        Assert.Single(release.OfType<SyntheticTableGenerated>());
        var audit = await ChainVerifier.VerifyStoreAsync(store);
        Assert.True(audit.Intact, audit.Reason);
    }

    private sealed record People(HttpClient Steward, HttpClient Researcher, HttpClient MemberA, HttpClient MemberB);

    private async Task<(People People, Guid DatasetId)> SetUpAsync()
    {
        var steward = await SignedInAsync(Roles.DataSteward);
        var researcher = await SignedInAsync(Roles.Researcher);
        var a = await SignedInAsync(Roles.CommitteeMember);
        var b = await SignedInAsync(Roles.CommitteeMember);
        var registered = await Json(await steward.PostAsJsonAsync("/datasets",
            new { name = "crash", description = "Synthetic-scale table", owner = "Test", schema = JsonNode.Parse(LargeTable.Schema) }), HttpStatusCode.Created);
        var datasetId = Guid.Parse((string)registered["id"]!);
        await Json(await steward.PutAsync($"/datasets/{datasetId}/source", new StringContent(LargeTable.Csv(40_000, seed: 7), Encoding.UTF8, "text/csv")),
            HttpStatusCode.OK);
        return (new People(steward, researcher, a, b), datasetId);
    }

    private static async Task<Guid> ApprovedRequestAsync(People p, Guid datasetId)
    {
        var created = await Json(await p.Researcher.PostAsJsonAsync("/requests", new
        {
            datasetId, title = "Scale", purpose = "Scale test", justification = "Crash test", intendedUse = "Testing",
            columns = LargeTable.Columns, epsilon = 1.0, rows = 100_000, generator = (string?)null, accessDays = 30,
        }), HttpStatusCode.Created);
        var requestId = Guid.Parse((string)created["id"]!);
        await Json(await p.Steward.PostAsync($"/decisions/{requestId}/accept-for-review", null), HttpStatusCode.OK);
        await Json(await p.MemberA.PostAsJsonAsync($"/decisions/{requestId}/votes", new { decision = "approve", reason = "ok" }), HttpStatusCode.OK);
        await Json(await p.MemberB.PostAsJsonAsync($"/decisions/{requestId}/votes", new { decision = "approve", reason = "ok" }), HttpStatusCode.OK);
        return requestId;
    }

    private async Task<HttpClient> SignedInAsync(string role)
    {
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@example.test";
        var password = "pw-" + Guid.NewGuid().ToString("N");
        var added = await Rgw.RunAsync(Environment(), password + "\n", "users", "add", "--email", email, "--role", role, "--password-stdin");
        Assert.True(added.ExitCode == 0, added.Stderr + added.Stdout);
        using var browser = new Browser(_address);
        var tokens = await OAuth.SignInWithAuthorizationCodeAsync(browser, new TestUser(Guid.Empty, email, password, [role]));
        var client = new HttpClient { BaseAddress = _address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        return client;
    }

    private static async Task<JsonObject> WaitForAsync(HttpClient client, Guid requestId, Func<string?, bool> reached, TimeSpan poll)
    {
        var (details, _) = await Eventually.ValueAsync(async () =>
            {
                try
                {
                    var response = await client.GetAsync($"/requests/{requestId}");
                    var last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                    return (Details: response.IsSuccessStatusCode ? JsonNode.Parse(last[4..])!.AsObject() : null, Last: last);
                }
                catch (HttpRequestException e)
                {
                    return (Details: (JsonObject?)null, Last: e.Message); // the gateway is still starting
                }
            },
            seen => seen.Details is not null && reached((string?)seen.Details["state"]),
            seen => $"request {requestId}: {seen.Details?["state"]} (last answer: {seen.Last})",
            TimeSpan.FromMinutes(5), poll);
        return details!;
    }

    private Dictionary<string, string?> Environment() => new()
    {
        ["ReleaseGateway__DataDirectory"] = _data,
        ["ConnectionStrings__Postgres"] = _postgres,
        ["ReleaseGateway__RequireHttps"] = "false",
        ["ReleaseGateway__PoliciesDirectory"] = Path.Combine(RepositoryPaths.Root, "policies"),
        ["ReleaseGateway__WorkflowsDirectory"] = Path.Combine(RepositoryPaths.Root, "workflows"),
        ["ReleaseGateway__Jobs__ClusterCheckinIntervalSeconds"] = "1",
        ["Identity__RateLimit__PermitLimit"] = "100000",
        ["ASPNETCORE_ENVIRONMENT"] = "Testing",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    private async Task StartGatewayAsync()
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ReleaseGateway.Api.dll"));
        foreach (var (k, v) in Environment()) info.Environment[k] = v;
        info.Environment["ASPNETCORE_URLS"] = _address.ToString();
        _gateway = Process.Start(info)!;
        _gateway.OutputDataReceived += (_, _) => { };
        _gateway.ErrorDataReceived += (_, _) => { };
        _gateway.BeginOutputReadLine();
        _gateway.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = _address };
        var gateway = _gateway;
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                if ((await http.GetAsync("/health/live")).IsSuccessStatusCode) return true;
            }
            catch (HttpRequestException)
            {
            }
            if (gateway.HasExited) throw new InvalidOperationException($"the gateway exited with {gateway.ExitCode}");
            return false;
        }, "the gateway to start", TimeSpan.FromMinutes(2));
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing; exactly what a power cut or the OOM killer does.</summary>
    private void Kill()
    {
        if (_gateway is null) return;
        if (!_gateway.HasExited)
        {
            _gateway.Kill(entireProcessTree: true);
            _gateway.WaitForExit();
        }
        _gateway.Dispose();
        _gateway = null;
    }

    private IEventStore OpenStore()
    {
        var options = new EventStoreOptions();
        PrivacyBudgetLedgers.Register(options);
        foreach (var type in ReleaseEventTypes.All.Concat(AccessRequestEventTypes.All)) options.Events.Register(type);
        return EventStoreFactory.Create(new EventStoreSettings(_data, _postgres), options, TimeProvider.System);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
