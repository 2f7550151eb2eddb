using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.IntegrationTests.Requests;
using ReleaseGateway.Problems;
using ReleaseGateway.Testing;
using static ReleaseGateway.IntegrationTests.Requests.RequestsApi;

namespace ReleaseGateway.IntegrationTests.Releases;

public sealed class LifecyclePipelineSqliteHost : SqliteGatewayHost
{
    protected override void Configure(IDictionary<string, string?> settings) => LifecyclePolicies.Apply(settings, pipeline: true);
}

public sealed class LifecyclePipelinePostgresHost : PostgresGatewayHost
{
    protected override void Configure(IDictionary<string, string?> settings) => LifecyclePolicies.Apply(settings, pipeline: true);
}

public sealed class DatasetVersionReleaseTestsOnSqlite(LifecyclePipelineSqliteHost host) : DatasetVersionReleaseTests<LifecyclePipelineSqliteHost>(host);

public sealed class DatasetVersionReleaseTestsOnPostgres(LifecyclePipelinePostgresHost host) : DatasetVersionReleaseTests<LifecyclePipelinePostgresHost>(host);

/// <summary>
/// A real release of gbsg on a dataset with its own committee and a policy that restarts the ledger at a new version: who sees the
/// release and the ledger (ADR 0058), the restart (ADR 0057), and retirement leaving the release downloadable; both backends.
/// </summary>
public abstract class DatasetVersionReleaseTests<THost>(THost host) : IClassFixture<THost> where THost : GatewayHost
{
    private readonly RequestsApi _api = new(host);

    [Fact]
    public async Task Given_APublishedReleaseOnACommitteesDataset_When_ANewVersionRestartsTheLedgerAndTheDatasetIsRetired_Then_OnlyItsCommitteeSeesItAndItStaysDownloadable()
    {
        var (admin, _) = await _api.As(Roles.Administrator);
        var name = "dac-" + Guid.NewGuid().ToString("N")[..8];
        var committee = Guid.Parse((string)(await Json(await admin.PostAsJsonAsync("/committees", new { name, description = "Breast cancer DAC" }),
            HttpStatusCode.Created))["id"]!);
        var (m1, u1) = await _api.As(Roles.CommitteeMember);
        var (m2, u2) = await _api.As(Roles.CommitteeMember);
        foreach (var u in new[] { u1, u2 })
            await Json(await admin.PostAsJsonAsync($"/committees/{committee}/members", new { memberId = u.Id.ToString() }), HttpStatusCode.OK);
        var (outsider, outsiderUser) = await _api.As(Roles.CommitteeMember);
        var (compliance, _) = await _api.As(Roles.ComplianceOfficer);
        var (steward, _) = await _api.As(Roles.DataSteward);
        var (researcher, _) = await _api.As(Roles.Researcher);

        var schema = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.SharedData, $"{ReleaseScenario.Table}-domain.json")));
        var datasetId = Guid.Parse((string)(await Json(await steward.PostAsJsonAsync("/datasets", new
        {
            name = "cohort-" + Guid.NewGuid().ToString("N")[..8], description = "gbsg, one cohort a year", owner = "GBSG", schema, committee = name,
        }), HttpStatusCode.Created))["id"]!);
        var csv = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.SharedData, $"{ReleaseScenario.Table}-disc.csv"));
        await Json(await steward.PutAsync($"/datasets/{datasetId}/source", new StringContent(csv, Encoding.UTF8, "text/csv")), HttpStatusCode.OK);
        await Json(await steward.PutAsJsonAsync($"/datasets/{datasetId}/policy",
            new { policy = LifecyclePolicies.Cohorts, reason = "Yearly cohorts, disjoint by construction" }), HttpStatusCode.OK);

        var requestId = Guid.Parse((string)(await Json(await researcher.PostAsJsonAsync("/requests", new
        {
            datasetId, title = "Recurrence model", purpose = "Model recurrence-free survival", justification = "Treatment effect study",
            intendedUse = "Academic research", columns = ReleaseScenario.Columns, epsilon = 1.0, rows = 300, accessDays = 30,
        }), HttpStatusCode.Created))["id"]!);
        await Json(await steward.PostAsync($"/decisions/{requestId}/accept-for-review", null), HttpStatusCode.OK);
        await Json(await VoteAsync(m1, requestId), HttpStatusCode.OK);
        await Json(await VoteAsync(m2, requestId), HttpStatusCode.OK);
        await Eventually.ValueAsync(async () => await Json(await researcher.GetAsync($"/requests/{requestId}"), HttpStatusCode.OK),
            d => (string?)d["state"] is "Released" or "Blocked", d => $"request stayed {(string?)d["state"]}", TimeSpan.FromMinutes(8), TimeSpan.FromMilliseconds(250));
        var release = (await researcher.GetFromJsonAsync<JsonArray>($"/requests/{requestId}/releases"))![^1]!["release"]!;
        Assert.Equal("Published", (string?)release["status"]);
        var releaseId = (string)release["id"]!;
        var artifact = (string)release["artifacts"]![0]!["name"]!;

        // Per committee: its members and compliance see the release and the ledger; a member of another committee learns nothing.
        foreach (var reader in new[] { m1, compliance })
        {
            await Json(await reader.GetAsync($"/releases/{releaseId}"), HttpStatusCode.OK);
            await Json(await reader.GetAsync($"/datasets/{datasetId}/budget"), HttpStatusCode.OK);
        }
        await Problem(await outsider.GetAsync($"/releases/{releaseId}"), HttpStatusCode.NotFound, ErrorCodes.ReleaseNotFound);
        await Problem(await outsider.GetAsync($"/releases/{releaseId}/artifacts/{artifact}"), HttpStatusCode.NotFound, ErrorCodes.ReleaseNotFound);
        await Problem(await outsider.GetAsync($"/releases/{releaseId}/evaluation-report"), HttpStatusCode.NotFound, ErrorCodes.ReleaseNotFound);
        await Problem(await outsider.GetAsync($"/datasets/{datasetId}/budget"), HttpStatusCode.NotFound, ErrorCodes.DatasetNotFound);
        using (var outsiderPages = await Web.WebSession.SignInAsync(host, outsiderUser))
        using (var memberPages = await Web.WebSession.SignInAsync(host, u1))
        {
            Assert.DoesNotContain(releaseId, (await outsiderPages.GetAsync("/ui/releases")).Html);
            Assert.DoesNotContain(datasetId.ToString(), (await outsiderPages.GetAsync("/ui/budget")).Html);
            Assert.Equal(HttpStatusCode.NotFound, (await outsiderPages.GetAsync($"/ui/budget/{datasetId}")).Status);
            Assert.Contains(releaseId, (await memberPages.GetAsync("/ui/releases")).Html);
            Assert.Contains(datasetId.ToString(), (await memberPages.GetAsync("/ui/budget")).Html);
        }
        var spent = (double)(await Json(await m1.GetAsync($"/datasets/{datasetId}/budget"), HttpStatusCode.OK))["epsilonSpent"]!;
        Assert.True(spent > 0.9, $"spent {spent}");

        // The next year's cohort: the policy restarts the ledger, recorded with its reason in the same commit.
        var versioned = await Json(await steward.PostAsync($"/datasets/{datasetId}/versions?reason=2027%20cohort",
            new StringContent(csv, Encoding.UTF8, "text/csv")), HttpStatusCode.OK);
        Assert.Equal(2, (int?)versioned["sourceVersion"]);
        var ledger = await Json(await m1.GetAsync($"/datasets/{datasetId}/budget"), HttpStatusCode.OK);
        Assert.Equal(0, (double)ledger["epsilonSpent"]!);
        Assert.Equal("PrivacyBudgetLedgerRestarted", (string?)ledger["history"]!.AsArray()[^1]!["event"]);
        Assert.Contains("nobody is in two", (string?)(await steward.GetFromJsonAsync<JsonArray>($"/datasets/{datasetId}/history"))![^1]!["detail"]);

        // Retired: no new request, and the release stays downloadable until its expiry.
        await Json(await steward.PostAsJsonAsync($"/datasets/{datasetId}/retire", new { reason = "Registry closed" }), HttpStatusCode.OK);
        await Problem(await researcher.PostAsJsonAsync("/requests", new
        {
            datasetId, title = "Again", purpose = "p", justification = "j", intendedUse = "u", columns = ReleaseScenario.Columns, epsilon = 1.0, rows = 300,
            accessDays = 30,
        }), HttpStatusCode.Conflict, ErrorCodes.DatasetRetired);
        var download = await researcher.GetAsync($"/releases/{releaseId}/artifacts/{artifact}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Single((await researcher.GetFromJsonAsync<JsonArray>("/requests/mine"))!);
    }
}
