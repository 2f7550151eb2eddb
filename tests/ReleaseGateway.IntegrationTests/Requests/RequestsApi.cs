using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.IntegrationTests.Infrastructure;

namespace ReleaseGateway.IntegrationTests.Requests;

/// <summary>The calls a scenario makes, over HTTP with real tokens; answers are read as JSON.</summary>
internal sealed class RequestsApi(GatewayHost host)
{
    public const string Schema = """
        {"columns": [
          {"name": "mrn", "type": "identifier", "role": "identifier"},
          {"name": "age", "type": "integer", "min": 0, "max": 120, "bins": 12, "role": "quasi-identifier"},
          {"name": "sex", "type": "categorical", "categories": ["F", "M"], "role": "quasi-identifier"},
          {"name": "outcome", "type": "categorical", "categories": ["no", "yes"], "role": "target"}
        ]}
        """;

    /// <summary>Records of <see cref="GoodCsv"/>: above the default policy's <c>minSourceRows</c> (100).</summary>
    public const int GoodCsvRows = 120;

    public static readonly string GoodCsv = "mrn,age,sex,outcome\n" + string.Concat(Enumerable.Range(1, GoodCsvRows)
        .Select(i => $"{i},{18 + i * 7 % 80},{(i % 2 == 0 ? "F" : "M")},{(i % 3 == 0 ? "yes" : "no")}\n"));

    public async Task<(HttpClient Client, TestUser User)> As(string role) => await host.CreateClientForRoleAsync(role);

    public static async Task<JsonObject> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    public static async Task<JsonObject> Problem(HttpResponseMessage response, HttpStatusCode expected, string code)
    {
        var problem = await Json(response, expected);
        Assert.Equal(code, (string?)problem["code"]);
        return problem;
    }

    public static Task<HttpResponseMessage> RegisterAsync(HttpClient steward, string name) =>
        steward.PostAsJsonAsync("/datasets", new { name, description = "Test table", owner = "Test hospital", schema = JsonNode.Parse(Schema) });

    public static Task<HttpResponseMessage> UploadAsync(HttpClient steward, Guid datasetId, string csv) =>
        steward.PutAsync($"/datasets/{datasetId}/source", new StringContent(csv, Encoding.UTF8, "text/csv"));

    public async Task<Guid> DatasetWithSourceAsync(HttpClient steward)
    {
        var registered = await Json(await RegisterAsync(steward, "ds-" + Guid.NewGuid().ToString("N")[..10]), HttpStatusCode.Created);
        var id = Guid.Parse((string)registered["id"]!);
        await Json(await UploadAsync(steward, id, GoodCsv), HttpStatusCode.OK);
        return id;
    }

    public static object Terms(Guid datasetId, double epsilon = 1.0) => new
    {
        datasetId, title = "Readmission", purpose = "Model readmission", justification = "Risk model", intendedUse = "Internal research",
        columns = new[] { "age", "sex", "outcome" }, epsilon, rows = 1000, generator = (string?)null, accessDays = 30,
    };

    public static async Task<Guid> SubmitAsync(HttpClient researcher, Guid datasetId)
    {
        var created = await Json(await researcher.PostAsJsonAsync("/requests", Terms(datasetId)), HttpStatusCode.Created);
        return Guid.Parse((string)created["id"]!);
    }

    /// <summary>A request past screening, in committee review, with the steward, researcher and three members it needs.</summary>
    public async Task<InReview> InReviewAsync()
    {
        var (steward, _) = await As(Roles.DataSteward);
        var (researcher, researcherUser) = await As(Roles.Researcher);
        var datasetId = await DatasetWithSourceAsync(steward);
        var requestId = await SubmitAsync(researcher, datasetId);
        var accepted = await Json(await steward.PostAsync($"/decisions/{requestId}/accept-for-review", null), HttpStatusCode.OK);
        Assert.Equal("CommitteeReview", (string?)accepted["state"]);
        var members = new List<HttpClient>();
        for (var i = 0; i < 3; i++) members.Add((await As(Roles.CommitteeMember)).Client);
        return new InReview(requestId, datasetId, steward, researcher, researcherUser, members);
    }

    public static Task<HttpResponseMessage> VoteAsync(HttpClient member, Guid requestId, string decision = "approve") =>
        member.PostAsJsonAsync($"/decisions/{requestId}/votes", new { decision, reason = "Proportionate and justified" });

    public async Task<IReadOnlyList<string>> EventTypesAsync(Guid streamId) =>
        (await host.EventStore.FetchStreamAsync(streamId)).Select(e => e.EventType).ToList();
}

internal sealed record InReview(Guid RequestId, Guid DatasetId, HttpClient Steward, HttpClient Researcher, TestUser ResearcherUser, IReadOnlyList<HttpClient> Members);
