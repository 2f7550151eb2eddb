using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ReleaseGateway.EventStore;
using ReleaseGateway.EventStore.Verification;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Testing;
using static ReleaseGateway.IntegrationTests.Requests.RequestsApi;

namespace ReleaseGateway.IntegrationTests.Deployment;

/// <summary>
/// Three gateway processes on one PostgreSQL database and no shared folder (ADR 0041): ten requests approved at once
/// across the nodes; the node running a job is killed with SIGKILL; the others finish everything as the pipeline rules
/// say (interrupted generation fails closed, interrupted evaluation resumes); every release is published at most once
/// and every request that was not interrupted in generation is published exactly once; every node (one restarted on an
/// empty data folder) serves every download; <c>rgw audit verify</c> passes.
/// </summary>
public sealed class MultiNodeTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private const int Requests = 10;
    private const string Dataset = "multi-node";
    // Few columns and rows: the test is about the nodes; each job stays short on a loaded 2-core machine.
    private static readonly string[] Columns = ["age", "size", "grade", "nodes", "status"];

    private GatewayCluster _cluster = null!;
    private string _policies = null!;

    public async Task InitializeAsync()
    {
        var postgres = await PostgresCluster.Shared.CreateDatabaseAsync("rgw_nodes_" + Guid.NewGuid().ToString("N")[..12]);
        _policies = Directory.CreateTempSubdirectory("rgw-node-policies-").FullName;
        File.Copy(Path.Combine(RepositoryPaths.Root, "policies", "default.yaml"), Path.Combine(_policies, "default.yaml"));
        // Room for every request: the test is about the nodes, not the ledger.
        await File.WriteAllTextAsync(Path.Combine(_policies, Dataset + ".yaml"),
            PipelineTestPolicy.Yaml("budget:\n  epsilon: 40.0\n  delta: 1.0e-5\nmaxReleases: 12\nmaxEpsilonPerRelease: 1.0\n"));
        _cluster = new GatewayCluster(postgres, _policies);
    }

    public Task DisposeAsync()
    {
        _cluster.Dispose();
        Directory.Delete(_policies, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Given_ThreeNodesWithoutASharedFolder_When_TheNodeRunningAJobIsKilled_Then_TheOthersFinish_AndEveryReleaseIsPublishedOnce()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // The first node creates the schema and the keys; the other two start together and find them.
        var first = await _cluster.StartAsync("a");
        var others = await Task.WhenAll(_cluster.StartAsync("b"), _cluster.StartAsync("c"));
        GatewayNode[] nodes = [first, .. others];
        output.WriteLine($"three nodes ready: {clock.Elapsed.TotalSeconds:F1} s");

        // Tokens issued by one node are accepted by every node (the token key ring is shared, sealed in the database).
        var steward = await SignInAsync(nodes[0], Roles.DataSteward);
        var researcher = await SignInAsync(nodes[1], Roles.Researcher);
        var memberA = await SignInAsync(nodes[2], Roles.CommitteeMember);
        var memberB = await SignInAsync(nodes[0], Roles.CommitteeMember);
        var compliance = await SignInAsync(nodes[1], Roles.ComplianceOfficer);
        HttpClient On(string token, int node) => nodes[node % nodes.Length].Client(token);

        // Registered on one node, the source uploaded on another, read by whichever node runs a job.
        var schema = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.SharedData, "gbsg-domain.json")));
        var registered = await Json(await On(steward, 0).PostAsJsonAsync("/datasets",
            new { name = Dataset, description = "German Breast Cancer Study Group (survival::gbsg), integer-coded", owner = "GBSG", schema }), HttpStatusCode.Created);
        var datasetId = Guid.Parse((string)registered["id"]!);
        var csv = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.SharedData, "gbsg-disc.csv"));
        await Json(await On(steward, 1).PutAsync($"/datasets/{datasetId}/source", new StringContent(csv, Encoding.UTF8, "text/csv")), HttpStatusCode.OK);

        var requestIds = new List<Guid>();
        for (var i = 0; i < Requests; i++)
        {
            var created = await Json(await On(researcher, i).PostAsJsonAsync("/requests", new
            {
                datasetId, title = $"Recurrence model {i}", purpose = "Model recurrence-free survival", justification = "Treatment effect study",
                intendedUse = "Academic research", columns = Columns, epsilon = 1.0, rows = 100, generator = (string?)null, accessDays = 30,
            }), HttpStatusCode.Created);
            var requestId = Guid.Parse((string)created["id"]!);
            await Json(await On(steward, i + 1).PostAsync($"/decisions/{requestId}/accept-for-review", null), HttpStatusCode.OK);
            await Json(await On(memberA, i + 2).PostAsJsonAsync($"/decisions/{requestId}/votes", new { decision = "approve", reason = "Proportionate" }), HttpStatusCode.OK);
            requestIds.Add(requestId);
        }
        // The deciding votes, all at once, spread over the nodes.
        var approvals = await Task.WhenAll(requestIds.Select((id, i) =>
            On(memberB, i).PostAsJsonAsync($"/decisions/{id}/votes", new { decision = "approve", reason = "Justified" })));
        Assert.All(approvals, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        var approved = clock.Elapsed;

        // The node running a job (found by the job engine's instance id) dies without warning.
        var (victim, interruptedRequest, interruptedState) = await Eventually.ValueAsync(async () =>
            {
                foreach (var id in requestIds)
                {
                    var pipeline = await Json(await On(compliance, 0).GetAsync($"/requests/{id}/pipeline"), HttpStatusCode.OK);
                    var instance = (string?)pipeline["job"]?["instanceId"];
                    var state = (string?)pipeline["state"];
                    var node = nodes.FirstOrDefault(n => instance is not null && n.InstanceId == instance);
                    if (node is not null && state is "Generating" or "Evaluating") return (node, id, state);
                }
                return ((GatewayNode?)null, Guid.Empty, (string?)null);
            },
            found => found.Item1 is not null, _ => "no job running on a known node", TimeSpan.FromMinutes(3), TimeSpan.FromMilliseconds(100));
        victim!.Kill();
        output.WriteLine($"killed node {victim.Name} while request {interruptedRequest} was {interruptedState}: {(clock.Elapsed - approved).TotalSeconds:F1} s after the approvals");
        var survivors = nodes.Where(n => n != victim).ToArray();

        // The survivors finish every request: published, or blocked (the interrupted generation fails closed).
        var outcome = new Dictionary<Guid, string>();
        foreach (var id in requestIds)
        {
            var details = await Eventually.ValueAsync(async () => await Json(await survivors[0].Client(researcher).GetAsync($"/requests/{id}"), HttpStatusCode.OK),
                d => (string?)d["state"] is "Released" or "Blocked", d => $"request {id} stayed {(string?)d["state"]}", TimeSpan.FromMinutes(10), TimeSpan.FromMilliseconds(500));
            outcome[id] = (string)details["state"]!;
        }

        output.WriteLine($"all {Requests} requests finished {(clock.Elapsed - approved).TotalSeconds:F1} s after the approvals: " +
            string.Join(", ", outcome.Values.GroupBy(v => v).Select(g => $"{g.Count()} {g.Key}")));
        var store = OpenStore(survivors[0].DataDirectory);
        foreach (var id in requestIds)
        {
            var request = await store.FetchStreamAsync(id);
            var releases = request.Where(e => e.Data is AccessRequestApproved).Select(e => ReleaseIds.For(id, e.StreamVersion)).ToList();
            var events = new List<object?>();
            foreach (var releaseId in releases) events.AddRange((await store.FetchStreamAsync(releaseId)).Select(e => e.Data));
            Assert.Equal(outcome[id] == "Released" ? 1 : 0, events.OfType<ReleasePublished>().Count());
            Assert.True(events.OfType<SyntheticTableGenerated>().Count() <= 1, $"request {id} was generated twice");
            Assert.True(events.OfType<ReleaseEvaluated>().Count() <= 1, $"request {id} was evaluated twice");
            if (id != interruptedRequest)
                Assert.True(outcome[id] == "Released", $"request {id} was not interrupted but ended {outcome[id]}");
        }
        if (interruptedState == "Generating" && outcome[interruptedRequest] == "Blocked")
        {
            var releaseId = ReleaseIds.For(interruptedRequest, (await store.FetchStreamAsync(interruptedRequest)).First(e => e.Data is AccessRequestApproved).StreamVersion);
            Assert.Single(await store.FetchStreamAsync(releaseId), e => e.Data is ReleaseBlocked);
        }
        var ledger = PrivacyBudgetLedger.Rebuild(datasetId, await store.FetchStreamAsync(PrivacyBudgetLedger.StreamIdFor(datasetId)));
        Assert.Equal(Requests, ledger.Entries.Values.Count(e => e.Charged));

        // Every node serves every published artifact with its recorded hash, also the killed one started again on an
        // empty data folder: nothing a node needs is on its own disk.
        var restarted = await _cluster.StartAsync("a-again");
        foreach (var node in survivors.Append(restarted))
            foreach (var id in requestIds.Where(id => outcome[id] == "Released"))
            {
                var releases = await JsonArrayOf(await node.Client(researcher).GetAsync($"/requests/{id}/releases"));
                var release = releases.Last()!["release"]!.AsObject();
                foreach (var artifact in release["artifacts"]!.AsArray())
                {
                    var response = await node.Client(researcher).GetAsync($"/releases/{release["id"]}/artifacts/{artifact!["name"]}");
                    Assert.True(response.StatusCode == HttpStatusCode.OK, $"{node.Name}: {artifact["name"]} of {id}: {(int)response.StatusCode}");
                    Assert.Equal((string)artifact["sha256"]!, Convert.ToHexStringLower(SHA256.HashData(await response.Content.ReadAsByteArrayAsync())));
                }
            }
        foreach (var node in nodes.Append(restarted))
            foreach (var folder in new[] { "artifacts", "sources", "attempt-keys", "keys" })
                Assert.False(Directory.Exists(Path.Combine(node.DataDirectory, folder)), $"{node.Name} keeps {folder}/ on its own disk");

        output.WriteLine($"downloads checked on 3 nodes: {clock.Elapsed.TotalSeconds:F1} s in all");
        // The audit chain verifies, with rgw, from any machine that has the configuration (no data folder).
        var verify = await Rgw.RunAsync(_cluster.Environment(Directory.CreateTempSubdirectory("rgw-verify-").FullName), null, "audit", "verify");
        Assert.True(verify.ExitCode == 0, verify.Stdout + verify.Stderr);
        var audit = await ChainVerifier.VerifyStoreAsync(store);
        Assert.True(audit.Intact, audit.Reason);
    }

    private static async Task<JsonArray> JsonArrayOf(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsArray();
    }

    private async Task<string> SignInAsync(GatewayNode node, string role)
    {
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@example.test";
        var password = "pw-" + Guid.NewGuid().ToString("N");
        var added = await Rgw.RunAsync(_cluster.Environment(node.DataDirectory), password + "\n", "users", "add", "--email", email, "--role", role, "--password-stdin");
        Assert.True(added.ExitCode == 0, added.Stderr + added.Stdout);
        using var browser = new Browser(node.Address);
        return (await OAuth.SignInWithAuthorizationCodeAsync(browser, new TestUser(Guid.Empty, email, password, [role]))).AccessToken;
    }

    private IEventStore OpenStore(string dataDirectory)
    {
        var options = new EventStoreOptions();
        PrivacyBudgetLedgers.Register(options);
        foreach (var type in ReleaseEventTypes.All.Concat(AccessRequestEventTypes.All)) options.Events.Register(type);
        return EventStoreFactory.Create(new EventStoreSettings(dataDirectory, _cluster.Postgres), options, TimeProvider.System);
    }
}
