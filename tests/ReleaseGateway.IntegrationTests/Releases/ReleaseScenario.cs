using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.Testing;
using static ReleaseGateway.IntegrationTests.Requests.RequestsApi;

namespace ReleaseGateway.IntegrationTests.Releases;

/// <summary>
/// The people of one release scenario, signed in with real tokens, and the calls they make: a steward who registers a
/// real clinical table (gbsg, German Breast Cancer Study Group, integer-coded copy from ../shared/data), a researcher,
/// three committee members and a compliance officer.
/// </summary>
internal sealed class ReleaseScenario
{
    public const string Table = "gbsg";
    public static readonly string[] Columns = ["age", "meno", "size", "grade", "nodes", "pgr", "er", "hormon", "rfstime", "status"];

    public required GatewayHost Host { get; init; }
    public required HttpClient Steward { get; init; }
    public required HttpClient Researcher { get; init; }
    public required TestUser ResearcherUser { get; init; }
    public required IReadOnlyList<HttpClient> Members { get; init; }
    public required HttpClient Compliance { get; init; }
    public required Guid DatasetId { get; init; }

    /// <summary>People and a dataset named <paramref name="datasetName"/> (which selects its policy) with its source uploaded.</summary>
    public static async Task<ReleaseScenario> StartAsync(GatewayHost host, string datasetName)
    {
        var steward = (await host.CreateClientForRoleAsync(Roles.DataSteward)).Client;
        var (researcher, researcherUser) = await host.CreateClientForRoleAsync(Roles.Researcher);
        var members = new List<HttpClient>();
        for (var i = 0; i < 3; i++) members.Add((await host.CreateClientForRoleAsync(Roles.CommitteeMember)).Client);
        var compliance = (await host.CreateClientForRoleAsync(Roles.ComplianceOfficer)).Client;

        var schema = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.SharedData, $"{Table}-domain.json")));
        var registered = await Json(await steward.PostAsJsonAsync("/datasets",
            new { name = datasetName, description = "German Breast Cancer Study Group (survival::gbsg), integer-coded", owner = "GBSG", schema }),
            HttpStatusCode.Created);
        var datasetId = Guid.Parse((string)registered["id"]!);
        var csv = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.SharedData, $"{Table}-disc.csv"));
        await Json(await steward.PutAsync($"/datasets/{datasetId}/source", new StringContent(csv, Encoding.UTF8, "text/csv")), HttpStatusCode.OK);
        return new ReleaseScenario
        {
            Host = host, Steward = steward, Researcher = researcher, ResearcherUser = researcherUser, Members = members, Compliance = compliance,
            DatasetId = datasetId,
        };
    }

    public async Task<Guid> SubmitAndAcceptAsync(double epsilon = 1.0, int rows = 500, string? generator = null)
    {
        var created = await Json(await Researcher.PostAsJsonAsync("/requests", new
        {
            datasetId = DatasetId, title = "Recurrence model", purpose = "Model recurrence-free survival", justification = "Treatment effect study",
            intendedUse = "Academic research", columns = Columns, epsilon, rows, generator, accessDays = 30,
        }), HttpStatusCode.Created);
        var requestId = Guid.Parse((string)created["id"]!);
        await Json(await Steward.PostAsync($"/decisions/{requestId}/accept-for-review", null), HttpStatusCode.OK);
        return requestId;
    }

    /// <summary>Two members approve; returns the second vote's response (the one that decides).</summary>
    public async Task<HttpResponseMessage> ApproveAsync(Guid requestId, object? regenerate = null)
    {
        await Json(await Members[0].PostAsJsonAsync($"/decisions/{requestId}/votes",
            new { decision = "approve", reason = "Proportionate", regenerate }), HttpStatusCode.OK);
        return await Members[1].PostAsJsonAsync($"/decisions/{requestId}/votes", new { decision = "approve", reason = "Justified", regenerate });
    }

    /// <summary>Waits (a generous limit that only stops a hung test) until the request reaches one of <paramref name="states"/>.</summary>
    public Task<JsonObject> WaitForStateAsync(Guid requestId, params string[] states) =>
        Eventually.ValueAsync(async () => await Json(await Researcher.GetAsync($"/requests/{requestId}"), HttpStatusCode.OK),
            details => states.Contains((string?)details["state"]),
            details => $"request {requestId} stayed {(string?)details["state"]}, expected {string.Join(" or ", states)}",
            TimeSpan.FromMinutes(8), TimeSpan.FromMilliseconds(200));

    public async Task<JsonObject> LatestReleaseAsync(Guid requestId)
    {
        var response = await Researcher.GetAsync($"/requests/{requestId}/releases");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonNode.Parse(body)!.AsArray().Last()!["release"]!.AsObject();
    }
}
