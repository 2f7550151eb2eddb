using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.Testing;
using static ReleaseGateway.IntegrationTests.Requests.RequestsApi;

namespace ReleaseGateway.IntegrationTests.Deployment;

/// <summary>
/// Only the nodes that run neural jobs carry libtorch (ADR 0043): an API node (no plug-in) leaves a made attempt to a node
/// with the plug-in, which runs and publishes it; with no such node the attempt is blocked saying which plug-in is
/// missing, uncharged; the API's build carries no TorchSharp or libtorch at all.
/// </summary>
public sealed class NeuralWorkerTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private const string Dataset = "neural-worker";
    private static readonly string[] Columns = ["age", "size", "grade", "nodes", "status"];

    private GatewayCluster _cluster = null!;
    private string _policies = null!;

    public async Task InitializeAsync()
    {
        var postgres = await PostgresCluster.Shared.CreateDatabaseAsync("rgw_neural_" + Guid.NewGuid().ToString("N")[..12]);
        _policies = Directory.CreateTempSubdirectory("rgw-neural-policies-").FullName;
        File.Copy(Path.Combine(RepositoryPaths.Root, "policies", "default.yaml"), Path.Combine(_policies, "default.yaml"));
        await File.WriteAllTextAsync(Path.Combine(_policies, Dataset + ".yaml"),
            PipelineTestPolicy.Yaml("allowedGenerators: [aim, made]\nbudget:\n  epsilon: 10.0\n  delta: 1.0e-5\nmaxReleases: 6\nmaxEpsilonPerRelease: 1.0\n"));
        _cluster = new GatewayCluster(postgres, _policies);
    }

    public Task DisposeAsync()
    {
        _cluster.Dispose();
        Directory.Delete(_policies, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Given_AnApiNodeAndANeuralNode_When_MadeReleasesAreApproved_Then_OnlyTheNeuralNodeRunsThemAndPublishes()
    {
        var api = await _cluster.StartAsync("api");
        var neural = await _cluster.StartAsync("neural", GatewayCluster.NeuralWorker);
        Assert.Contains("Generators installed on this node: aim, mst (runs jobs: True)", api.Output);
        Assert.Contains("Generators installed on this node: aim, mst, made (runs jobs: True)", neural.Output);

        // Both nodes run jobs; the API node is asked for every step, and still never claims a made job.
        var s = await ScenarioAsync(api);
        var requests = new List<Guid>();
        for (var i = 0; i < 3; i++) requests.Add(await s.ApproveAsync("made", i));
        foreach (var id in requests)
        {
            var state = await s.WaitForEndAsync(id);
            var release = await s.LatestReleaseAsync(id);
            Assert.True(state == "Released", $"request {id} ended {state}: {release["blockedReason"]}\napi:\n{api.Output}\nneural:\n{neural.Output}");
            Assert.Equal("made", (string?)release["generator"]);
            Assert.Contains($"Request {id}: start-generation", neural.Output);
            Assert.DoesNotContain($"Request {id}:", api.Output);
        }

        // The API node still runs the built-in generators' jobs.
        var aim = await s.ApproveAsync("aim", 9);
        Assert.Equal("Released", await s.WaitForEndAsync(aim));
        output.WriteLine($"api node ran aim: {api.Output.Contains($"Request {aim}: start-generation", StringComparison.Ordinal)}");
    }

    [Fact]
    public async Task Given_NoNodeWithTheNeuralPlugin_When_AMadeReleaseIsApproved_Then_ItIsBlockedNamingThePluginAndNothingIsCharged()
    {
        var api = await _cluster.StartAsync("api");
        var s = await ScenarioAsync(api);

        var id = await s.ApproveAsync("made", 0);

        Assert.Equal("Blocked", await s.WaitForEndAsync(id));
        var release = await s.LatestReleaseAsync(id);
        Assert.Contains("generator 'made' is not installed on this node", (string?)release["blockedReason"]);
        Assert.Contains("ReleaseGateway.Releases.Neural", (string?)release["blockedReason"]);
        Assert.Contains("the budget was not charged", (string?)release["blockedReason"]);
        var budget = await Json(await api.Client(s.Steward).GetAsync($"/datasets/{s.DatasetId}/budget"), HttpStatusCode.OK);
        output.WriteLine(budget.ToJsonString());
        Assert.Equal(0.0, (double)budget["epsilonSpent"]!);
    }

    [Fact]
    public void Given_TheGatewayAndRgwBuilds_When_TheirDependenciesAreRead_Then_NeitherCarriesTorchSharpOrLibtorch()
    {
        // What `dotnet publish` copies is what the deps file lists: no TorchSharp package, no native libtorch file.
        foreach (var deps in new[] { "ReleaseGateway.Api.deps.json", "rgw.deps.json" })
        {
            var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, deps));
            using var document = JsonDocument.Parse(text);
            var libraries = document.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name).ToList();
            Assert.DoesNotContain(libraries, l => l.Contains("Torch", StringComparison.OrdinalIgnoreCase) || l.Contains(".Neural", StringComparison.Ordinal));
            Assert.DoesNotContain("libtorch", text, StringComparison.OrdinalIgnoreCase);
        }
        // The plug-in is what carries them.
        Assert.Contains("TorchSharp", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "ReleaseGateway.Releases.Neural.deps.json")), StringComparison.Ordinal);
    }

    private async Task<Scenario> ScenarioAsync(GatewayNode node)
    {
        var steward = await SignInAsync(node, Roles.DataSteward);
        var researcher = await SignInAsync(node, Roles.Researcher);
        var memberA = await SignInAsync(node, Roles.CommitteeMember);
        var memberB = await SignInAsync(node, Roles.CommitteeMember);
        var schema = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.SharedData, "gbsg-domain.json")));
        var registered = await Json(await node.Client(steward).PostAsJsonAsync("/datasets",
            new { name = Dataset, description = "German Breast Cancer Study Group (survival::gbsg), integer-coded", owner = "GBSG", schema }), HttpStatusCode.Created);
        var datasetId = Guid.Parse((string)registered["id"]!);
        var csv = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.SharedData, "gbsg-disc.csv"));
        await Json(await node.Client(steward).PutAsync($"/datasets/{datasetId}/source", new StringContent(csv, Encoding.UTF8, "text/csv")), HttpStatusCode.OK);
        return new Scenario(node, datasetId, steward, researcher, memberA, memberB);
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

    private sealed record Scenario(GatewayNode Node, Guid DatasetId, string Steward, string Researcher, string MemberA, string MemberB)
    {
        public async Task<Guid> ApproveAsync(string generator, int i)
        {
            var created = await Json(await Node.Client(Researcher).PostAsJsonAsync("/requests", new
            {
                datasetId = DatasetId, title = $"Recurrence model {generator} {i}", purpose = "Model recurrence-free survival", justification = "Treatment effect study",
                intendedUse = "Academic research", columns = Columns, epsilon = 1.0, rows = 100, generator, accessDays = 30,
            }), HttpStatusCode.Created);
            var requestId = Guid.Parse((string)created["id"]!);
            await Json(await Node.Client(Steward).PostAsync($"/decisions/{requestId}/accept-for-review", null), HttpStatusCode.OK);
            await Json(await Node.Client(MemberA).PostAsJsonAsync($"/decisions/{requestId}/votes", new { decision = "approve", reason = "Proportionate" }), HttpStatusCode.OK);
            await Json(await Node.Client(MemberB).PostAsJsonAsync($"/decisions/{requestId}/votes", new { decision = "approve", reason = "Justified" }), HttpStatusCode.OK);
            return requestId;
        }

        public async Task<string> WaitForEndAsync(Guid requestId)
        {
            var details = await Eventually.ValueAsync(async () => await Json(await Node.Client(Researcher).GetAsync($"/requests/{requestId}"), HttpStatusCode.OK),
                d => (string?)d["state"] is "Released" or "Blocked", d => $"request {requestId} stayed {(string?)d["state"]}", TimeSpan.FromMinutes(10),
                TimeSpan.FromMilliseconds(500));
            return (string)details["state"]!;
        }

        /// <summary>The request's latest release as the committee sees it (inside the boundary: the detailed block reason).</summary>
        public async Task<JsonObject> LatestReleaseAsync(Guid requestId)
        {
            var response = await Node.Client(MemberA).GetAsync($"/requests/{requestId}/releases");
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {body}");
            return JsonNode.Parse(body)!.AsArray().Last()!["release"]!.AsObject();
        }
    }
}
