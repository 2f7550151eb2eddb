using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.Problems;
using ReleaseGateway.Testing;
using static ReleaseGateway.IntegrationTests.Requests.RequestsApi;

namespace ReleaseGateway.IntegrationTests.Requests;

/// <summary>The policies the lifecycle tests put datasets under: the repository's default, a stricter one, one that restarts the ledger.</summary>
internal static class LifecyclePolicies
{
    public const string Strict = "strict";
    public const string Cohorts = "cohorts";

    public static void Apply(IDictionary<string, string?> settings, bool pipeline)
    {
        var directory = Path.Combine(Path.GetTempPath(), "rgw-lifecycle-policies-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        File.Copy(Path.Combine(RepositoryPaths.Root, "policies", "default.yaml"), Path.Combine(directory, "default.yaml"));
        File.WriteAllText(Path.Combine(directory, Strict + ".yaml"), "maxEpsilonPerRelease: 0.5\n");
        File.WriteAllText(Path.Combine(directory, Cohorts + ".yaml"), PipelineTestPolicy.Yaml(
            "versions:\n  ledger: restart\n  reason: each version is a new yearly cohort; nobody is in two\n"));
        settings["ReleaseGateway:PoliciesDirectory"] = directory;
        if (!pipeline) return;
        settings["ReleaseGateway:Jobs:Enabled"] = "true";
        settings["ReleaseGateway:Jobs:ClusterCheckinIntervalSeconds"] = "2";
    }
}

public sealed class LifecycleSqliteHost : SqliteGatewayHost
{
    protected override void Configure(IDictionary<string, string?> settings) => LifecyclePolicies.Apply(settings, pipeline: false);
}

public sealed class LifecyclePostgresHost : PostgresGatewayHost
{
    protected override void Configure(IDictionary<string, string?> settings) => LifecyclePolicies.Apply(settings, pipeline: false);
}

public sealed class DatasetLifecycleTestsOnSqlite(LifecycleSqliteHost host) : DatasetLifecycleTests<LifecycleSqliteHost>(host);

public sealed class DatasetLifecycleTestsOnPostgres(LifecyclePostgresHost host) : DatasetLifecycleTests<LifecyclePostgresHost>(host);

/// <summary>Versions, policy changes and retirement of a dataset over HTTP with real tokens, on both backends (ADR 0057).</summary>
public abstract class DatasetLifecycleTests<THost>(THost host) : IClassFixture<THost> where THost : GatewayHost
{
    private readonly RequestsApi _api = new(host);

    private static Task<HttpResponseMessage> VersionAsync(HttpClient steward, Guid datasetId, string csv, string? reason = "Corrected extract") =>
        steward.PostAsync($"/datasets/{datasetId}/versions{(reason is null ? "" : "?reason=" + Uri.EscapeDataString(reason))}",
            new StringContent(csv, Encoding.UTF8, "text/csv"));

    private async Task<int> StreamLengthAsync(Guid id) => (await host.EventStore.FetchStreamAsync(id)).Count;

    [Fact]
    public async Task Given_DatasetWithItsSource_When_ANewVersionIsUploaded_Then_VersionTwoAndTheLedgerContinuesWithItsReason()
    {
        var (steward, stewardUser) = await _api.As(Roles.DataSteward);
        var datasetId = await _api.DatasetWithSourceAsync(steward);

        var versioned = await Json(await VersionAsync(steward, datasetId, GoodCsv + "121,40,F,no\n"), HttpStatusCode.OK);
        Assert.Equal(2, (int?)versioned["sourceVersion"]);
        Assert.Equal(GoodCsvRows + 1, (long?)versioned["sourceRows"]);
        var history = (await steward.GetFromJsonAsync<JsonArray>($"/datasets/{datasetId}/history"))!;
        var last = history[^1]!;
        Assert.Equal("DatasetVersionUploaded", (string?)last["event"]);
        Assert.Contains("Corrected extract", (string?)last["detail"]);
        Assert.Contains("ledger continues", (string?)last["detail"]);
        // The ledger stays one stream: nothing was appended to it by a continued version.
        Assert.Empty(await host.EventStore.FetchStreamAsync(ReleaseGateway.Releases.Budget.PrivacyBudgetLedger.StreamIdFor(datasetId)));

        // A researcher sees the version, not its size.
        var (researcher, _) = await _api.As(Roles.Researcher);
        var seen = (await researcher.GetFromJsonAsync<JsonArray>($"/datasets/{datasetId}/history"))!;
        Assert.DoesNotContain("rows", (string?)seen[^1]!["detail"]);
        // ... and the role that took each step, never the steward's id (as on a request's timeline).
        Assert.Equal(stewardUser.Id.ToString(), (string?)last["by"]);
        Assert.All(seen, e => Assert.NotEqual(stewardUser.Id.ToString(), (string?)e!["by"]));
        Assert.Equal("data steward", (string?)seen[^1]!["by"]);
    }

    [Fact]
    public async Task Given_BadNewVersions_When_Uploaded_Then_EachIsRefusedWithNothingStored()
    {
        var (steward, _) = await _api.As(Roles.DataSteward);
        var datasetId = await _api.DatasetWithSourceAsync(steward);
        var before = await StreamLengthAsync(datasetId);

        await Problem(await VersionAsync(steward, datasetId, GoodCsv, reason: null), HttpStatusCode.BadRequest, ErrorCodes.InvalidCommand);
        await Problem(await VersionAsync(steward, datasetId, "mrn,age,sex,outcome\n1,200,F,no\n"), HttpStatusCode.BadRequest, ErrorCodes.UploadRejected);
        var (otherSteward, _) = await _api.As(Roles.DataSteward);
        await Problem(await VersionAsync(otherSteward, datasetId, GoodCsv), HttpStatusCode.Forbidden, ErrorCodes.NotDatasetSteward);
        var fresh = Guid.Parse((string)(await Json(await RegisterAsync(steward, "ds-" + Guid.NewGuid().ToString("N")[..10]), HttpStatusCode.Created))["id"]!);
        await Problem(await VersionAsync(steward, fresh, GoodCsv), HttpStatusCode.Conflict, ErrorCodes.VersionNeedsUploadedSource);
        Assert.Equal(before, await StreamLengthAsync(datasetId));

        // The rejected table left no blob behind: the next good upload is version 2.
        Assert.Equal(2, (int?)(await Json(await VersionAsync(steward, datasetId, GoodCsv), HttpStatusCode.OK))["sourceVersion"]);
    }

    [Fact]
    public async Task Given_AnApprovedRequestStillInThePipeline_When_ANewVersionIsUploaded_Then_409AndNothingStored()
    {
        var review = await _api.InReviewAsync();
        await Json(await VoteAsync(review.Members[0], review.RequestId), HttpStatusCode.OK);
        Assert.Equal("Approved", (string?)(await Json(await VoteAsync(review.Members[1], review.RequestId), HttpStatusCode.OK))["state"]);
        var before = await StreamLengthAsync(review.DatasetId);

        await Problem(await VersionAsync(review.Steward, review.DatasetId, GoodCsv), HttpStatusCode.Conflict, ErrorCodes.ReleaseInFlight);
        Assert.Equal(before, await StreamLengthAsync(review.DatasetId));
    }

    [Fact]
    public async Task Given_APolicyChange_When_RequestsAreSubmittedBeforeAndAfter_Then_EachKeepsThePolicyItWasSubmittedUnder()
    {
        var (steward, _) = await _api.As(Roles.DataSteward);
        var (researcher, _) = await _api.As(Roles.Researcher);
        var datasetId = await _api.DatasetWithSourceAsync(steward);
        var before = await SubmitAsync(researcher, datasetId);

        var changed = await Json(await steward.PutAsJsonAsync($"/datasets/{datasetId}/policy",
            new { policy = LifecyclePolicies.Strict, reason = "Smaller releases after the ethics review" }), HttpStatusCode.OK);
        Assert.Equal(LifecyclePolicies.Strict, (string?)changed["policy"]);
        Assert.Equal("default", (string?)(await researcher.GetFromJsonAsync<JsonObject>($"/requests/{before}"))!["policy"]);

        // New requests follow the new policy: ε = 1 is over its 0.5 per release.
        await Problem(await researcher.PostAsJsonAsync("/requests", Terms(datasetId)), HttpStatusCode.BadRequest, ErrorCodes.InvalidCommand);
        var created = await Json(await researcher.PostAsJsonAsync("/requests", Terms(datasetId, epsilon: 0.5)), HttpStatusCode.Created);
        Assert.Equal(LifecyclePolicies.Strict, (string?)created["policy"]);
        Assert.Equal(LifecyclePolicies.Strict, (string?)(await steward.GetFromJsonAsync<JsonObject>($"/datasets/{datasetId}"))!["policy"]!["name"]);

        var length = await StreamLengthAsync(datasetId);
        await Problem(await steward.PutAsJsonAsync($"/datasets/{datasetId}/policy", new { policy = "no-such-policy", reason = "x" }), HttpStatusCode.NotFound,
            ErrorCodes.PolicyNotLoaded);
        await Problem(await steward.PutAsJsonAsync($"/datasets/{datasetId}/policy", new { policy = LifecyclePolicies.Strict, reason = "again" }),
            HttpStatusCode.Conflict, ErrorCodes.PolicyUnchanged);
        await Problem(await steward.PutAsJsonAsync($"/datasets/{datasetId}/policy", new { policy = "default", reason = "" }), HttpStatusCode.BadRequest,
            ErrorCodes.InvalidCommand);
        Assert.Equal(length, await StreamLengthAsync(datasetId));
        Assert.Equal("DatasetPolicyChanged", (await _api.EventTypesAsync(datasetId))[^1]);
    }

    [Fact]
    public async Task Given_ARetiredDataset_When_ResearchersSubmit_Then_409WithNothingStoredAndTheDatasetTakesNoMoreChanges()
    {
        var (steward, _) = await _api.As(Roles.DataSteward);
        var (researcher, _) = await _api.As(Roles.Researcher);
        var datasetId = await _api.DatasetWithSourceAsync(steward);
        await Problem(await steward.PostAsJsonAsync($"/datasets/{datasetId}/retire", new { reason = "" }), HttpStatusCode.BadRequest, ErrorCodes.InvalidCommand);

        var retired = await Json(await steward.PostAsJsonAsync($"/datasets/{datasetId}/retire", new { reason = "Superseded by the 2027 registry" }),
            HttpStatusCode.OK);
        Assert.NotNull((string?)retired["retiredAt"]);
        var length = await StreamLengthAsync(datasetId);

        await Problem(await researcher.PostAsJsonAsync("/requests", Terms(datasetId)), HttpStatusCode.Conflict, ErrorCodes.DatasetRetired);
        Assert.Empty((await researcher.GetFromJsonAsync<JsonArray>("/requests/mine"))!);
        await Problem(await VersionAsync(steward, datasetId, GoodCsv), HttpStatusCode.Conflict, ErrorCodes.DatasetRetired);
        await Problem(await steward.PutAsJsonAsync($"/datasets/{datasetId}/policy", new { policy = LifecyclePolicies.Strict, reason = "x" }),
            HttpStatusCode.Conflict, ErrorCodes.DatasetRetired);
        await Problem(await steward.PostAsJsonAsync($"/datasets/{datasetId}/retire", new { reason = "twice" }), HttpStatusCode.Conflict, ErrorCodes.DatasetRetired);
        Assert.Equal(length, await StreamLengthAsync(datasetId));
    }

    [Fact]
    public async Task Given_DatasetsOfTwoCommittees_When_MembersReadTheirBudgets_Then_EachSeesOnlyTheirCommitteesLedger()
    {
        var (admin, _) = await _api.As(Roles.Administrator);
        var name = "dac-" + Guid.NewGuid().ToString("N")[..8];
        var committee = Guid.Parse((string)(await Json(await admin.PostAsJsonAsync("/committees", new { name, description = "Registry DAC" }),
            HttpStatusCode.Created))["id"]!);
        var (member, memberUser) = await _api.As(Roles.CommitteeMember);
        var (second, secondUser) = await _api.As(Roles.CommitteeMember);
        foreach (var m in new[] { memberUser, secondUser })
            await Json(await admin.PostAsJsonAsync($"/committees/{committee}/members", new { memberId = m.Id.ToString() }), HttpStatusCode.OK);
        var (outsider, _) = await _api.As(Roles.CommitteeMember);
        var (compliance, _) = await _api.As(Roles.ComplianceOfficer);
        var (steward, _) = await _api.As(Roles.DataSteward);
        var datasetId = await _api.DatasetWithSourceAsync(steward);
        await Json(await steward.PutAsJsonAsync($"/datasets/{datasetId}/committee", new { committee = name }), HttpStatusCode.OK);

        foreach (var reader in new[] { member, second, compliance, steward })
            await Json(await reader.GetAsync($"/datasets/{datasetId}/budget"), HttpStatusCode.OK);
        await Problem(await outsider.GetAsync($"/datasets/{datasetId}/budget"), HttpStatusCode.NotFound, ErrorCodes.DatasetNotFound);
        // The outsider still reads the ledger of a dataset of the default committee, which every role holder sits on.
        var defaultDataset = await _api.DatasetWithSourceAsync(steward);
        await Json(await outsider.GetAsync($"/datasets/{defaultDataset}/budget"), HttpStatusCode.OK);
    }
}
