using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.EventStore.Verification;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Releases.Manifests;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Requests.Workflows;
using static ReleaseGateway.IntegrationTests.Requests.RequestsApi;
using ReleaseGateway.Testing;

namespace ReleaseGateway.IntegrationTests.Releases;

public sealed class ReleasePipelineTestsOnSqlite(SqlitePipelineHost host) : ReleasePipelineTests<SqlitePipelineHost>(host);

public sealed class ReleasePipelineTestsOnPostgres(PostgresPipelineHost host) : ReleasePipelineTests<PostgresPipelineHost>(host);

/// <summary>
/// The release pipeline end to end over HTTP with real tokens, its jobs running on the real job engine: approval
/// reserves budget, generation charges it, evaluation gates the release, publication signs it, downloads are events.
/// After each scenario the audit chain verifies and holds every step.
/// </summary>
public abstract class ReleasePipelineTests<THost>(THost host) : IClassFixture<THost> where THost : Infrastructure.GatewayHost
{
    [Fact]
    public async Task Given_ApprovedRequest_When_ThePipelineRuns_Then_ItIsGeneratedEvaluatedPublishedAndTheResearcherDownloadsASignedRelease()
    {
        var s = await ReleaseScenario.StartAsync(host, "e2e");
        var requestId = await s.SubmitAndAcceptAsync();
        await Json(await s.ApproveAsync(requestId), HttpStatusCode.OK);

        var details = await s.WaitForStateAsync(requestId, "Released", "Blocked");
        var release = await s.LatestReleaseAsync(requestId);
        Assert.True((string?)details["state"] == "Released", $"blocked: {release["blockedReason"]}");
        Assert.Equal("Published", (string?)release["status"]);
        Assert.Equal(100, (int)release["percent"]!);
        var releaseId = Guid.Parse((string)release["id"]!);
        var pipeline = await Json(await s.Researcher.GetAsync($"/requests/{requestId}/pipeline"), HttpStatusCode.OK);
        Assert.Equal("Released", (string?)pipeline["state"]);
        Assert.Null(pipeline["job"]); // done: the job ended

        // Every artifact downloads with the hash the manifest and the ReleasePublished event record.
        var folder = Directory.CreateTempSubdirectory("rgw-release-").FullName;
        foreach (var artifact in release["artifacts"]!.AsArray())
        {
            var name = (string)artifact!["name"]!;
            var response = await s.Researcher.GetAsync($"/releases/{releaseId}/artifacts/{name}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal((string)artifact["sha256"]!, Convert.ToHexStringLower(SHA256.HashData(bytes)));
            await File.WriteAllBytesAsync(Path.Combine(folder, name), bytes);
        }
        Assert.Contains("synthetic.csv", Directory.GetFiles(folder).Select(Path.GetFileName));

        // The manifest verifies offline against the gateway's own key, and names what was approved and charged.
        using var key = AuditSigningKey.LoadOrCreate(Path.Combine(host.DataDirectory, "keys", "audit-signing-key.pem"));
        var findings = ReleaseVerifier.Verify(Path.Combine(folder, "manifest.json"), null, key, requireAllArtifacts: true);
        Assert.All(findings, f => Assert.True(f.Ok, $"{f.Subject}: {f.Message}"));
        var manifest = ReleaseManifest.Parse(await File.ReadAllBytesAsync(Path.Combine(folder, "manifest.json")));
        Assert.Equal(requestId, manifest.RequestId);
        // Format 2: nothing computed from the real table (docs/privacy.md).
        Assert.Equal(ReleaseManifest.CurrentFormat, manifest.Format);
        Assert.Null(manifest.Gates);
        Assert.Null(manifest.Approvers);
        Assert.Null(manifest.Parameters.SplitSeed);
        Assert.Equal("row", manifest.Privacy.Unit);
        Assert.Equal(0.05, manifest.Privacy.GateEpsilon);
        Assert.InRange(manifest.Privacy.EpsilonCharged, 0.99, 1.01);
        Assert.Equal(500, manifest.Parameters.Rows);
        var csv = await File.ReadAllLinesAsync(Path.Combine(folder, "synthetic.csv"));
        Assert.Equal(501, csv.Length);
        // The Parquet file holds the CSV's rows, typed: its first column equals the CSV's first column.
        Assert.Contains(manifest.Artifacts, a => a.Name == ReleaseGeneration.SyntheticParquetName && a.MediaType == "application/vnd.apache.parquet");
        await using (var parquet = File.OpenRead(Path.Combine(folder, ReleaseGeneration.SyntheticParquetName)))
        await using (var reader = await Parquet.ParquetReader.CreateAsync(parquet))
        {
            Assert.Equal(csv[0].Split(','), reader.Schema.DataFields.Select(f => f.Name));
            using var group = reader.OpenRowGroupReader(0);
            Assert.Equal(500, group.RowCount);
            var first = new long?[500];
            await group.ReadAsync<long>(reader.Schema.DataFields[0], first);
            Assert.Equal(csv.Skip(1).Select(line => line.Split(',')[0]), first.Select(v => v?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? ""));
        }

        // The ledger shows the charge; the downloads are on the record with who and what.
        var ledger = await Json(await s.Compliance.GetAsync($"/datasets/{s.DatasetId}/budget"), HttpStatusCode.OK);
        var line = Assert.Single(ledger["entries"]!.AsArray());
        Assert.True((bool)line!["charged"]!);
        var after = await Json(await s.Compliance.GetAsync($"/releases/{releaseId}"), HttpStatusCode.OK);
        Assert.Equal(release["artifacts"]!.AsArray().Count, after["release"]!["downloads"]!.AsArray().Count);
        Assert.All(after["release"]!["downloads"]!.AsArray(), d => Assert.Equal(s.ResearcherUser.Id.ToString(), (string?)d!["by"]));

        // The trust boundary over HTTP: the requester's views hold no gate values, counts, approvers or real-data reports;
        // staff see the evidence, and each view of the evaluation report is an event.
        Assert.Empty(release["gates"]!.AsArray());
        Assert.Empty(release["approvers"]!.AsArray());
        Assert.False((bool)release["carriesRealDataStatistics"]!);
        Assert.DoesNotContain(release["artifacts"]!.AsArray(), a => ((string)a!["name"]!).StartsWith("evaluation-report", StringComparison.Ordinal));
        Assert.Contains(release["artifacts"]!.AsArray(), a => (string?)a!["name"] == "release-report.html");
        Assert.Equal(HttpStatusCode.NotFound, (await s.Researcher.GetAsync($"/releases/{releaseId}/evaluation-report")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await s.Researcher.GetAsync($"/releases/{releaseId}/evaluation-report?format=html")).StatusCode);
        Assert.Contains(after["release"]!["gates"]!.AsArray(), g => (string?)g!["name"] == "dpCopyTest");
        var dataset = await Json(await s.Researcher.GetAsync($"/datasets/{s.DatasetId}"), HttpStatusCode.OK);
        Assert.Null(dataset["dataset"]!["sourceRows"]);
        Assert.Null(dataset["dataset"]!["sourceSha256"]);
        Assert.NotNull((await Json(await s.Compliance.GetAsync($"/datasets/{s.DatasetId}"), HttpStatusCode.OK))["dataset"]!["sourceRows"]);
        var report = await s.Members[0].GetAsync($"/releases/{releaseId}/evaluation-report");
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        Assert.Contains("\"gates\"", await report.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await s.Compliance.GetAsync($"/releases/{releaseId}/evaluation-report?format=html")).StatusCode);
        var viewed = (await host.Services.GetRequiredService<IEventStore>().FetchStreamAsync(releaseId, CancellationToken.None))
            .Select(e => e.Data).OfType<EvaluationReportViewed>().ToList();
        Assert.Equal(2, viewed.Count);
        Assert.Equal(["evaluation-report.json/api", "evaluation-report.html/api"], viewed.Select(v => $"{v.Report}/{v.Via}"));

        await AssertAuditHoldsAsync(requestId, releaseId, "AccessRequestApproved", "PrivacyBudgetReserved", "PrivacyBudgetCharged", "ReleaseGenerationStarted",
            "ReleaseSplitRecorded", "SyntheticTableGenerated", "ReleaseEvaluated", "ReleasePublished", "ReleaseArtifactDownloaded", "EvaluationReportViewed");
    }

    [Fact]
    public async Task Given_FailingGate_When_ThePipelineRuns_Then_TheRequestIsBlockedWithTheReportAndARegenerationIsANewApprovalAndCharge()
    {
        var s = await ReleaseScenario.StartAsync(host, "gated");
        var requestId = await s.SubmitAndAcceptAsync(epsilon: 0.5);
        await Json(await s.ApproveAsync(requestId), HttpStatusCode.OK);

        await s.WaitForStateAsync(requestId, "Blocked");
        var first = await s.LatestReleaseAsync(requestId);
        Assert.Equal("Blocked", (string?)first["status"]);
        // The requester learns the DP bit and nothing more; the committee sees why, inside the boundary.
        Assert.Equal("blocked by the release checks; the committee decides", (string?)first["blockedReason"]);
        Assert.Empty(first["gates"]!.AsArray());
        Assert.False((bool)first["passed"]!);
        var asMember = await Json(await s.Members[2].GetAsync($"/releases/{first["id"]}"), HttpStatusCode.OK);
        Assert.Contains(asMember["release"]!["gates"]!.AsArray(), g => (string?)g!["name"] == "dpCopyTest" && (string?)g!["status"] == "Fail");
        Assert.Contains("dpCopyTest", (string?)asMember["release"]!["blockedReason"]);
        await Problem(await s.Researcher.GetAsync($"/releases/{first["id"]}/artifacts/synthetic.csv"), HttpStatusCode.Conflict, "RG3005");

        // A regeneration with new parameters needs the committee's approval again, and is charged again.
        var regenerated = await Json(await s.ApproveAsync(requestId, new { epsilon = 0.8 }), HttpStatusCode.OK);
        Assert.Equal(0.8, (double)regenerated["terms"]!["epsilon"]!);
        await s.WaitForStateAsync(requestId, "Blocked");
        var releases = JsonNode.Parse(await s.Researcher.GetStringAsync($"/requests/{requestId}/releases"))!.AsArray();
        Assert.Equal([1, 2], releases.Select(r => (int)r!["release"]!["attempt"]!).ToArray());
        var ledger = await Json(await s.Steward.GetAsync($"/datasets/{s.DatasetId}/budget"), HttpStatusCode.OK);
        Assert.Equal(2, ledger["entries"]!.AsArray().Count(e => (bool)e!["charged"]!));

        // Rejecting now ends the request; both charges stay.
        await Json(await s.Members[0].PostAsJsonAsync($"/decisions/{requestId}/votes", new { decision = "reject", reason = "Not fit for release" }), HttpStatusCode.OK);
        ledger = await Json(await s.Steward.GetAsync($"/datasets/{s.DatasetId}/budget"), HttpStatusCode.OK);
        Assert.Equal(2, ledger["entries"]!.AsArray().Count(e => (bool)e!["charged"]!));
        await AssertAuditHoldsAsync(requestId, Guid.Parse((string)first["id"]!), "ReleaseEvaluated", "ReleaseBlocked", "AccessRequestRejected");
    }

    [Fact]
    public async Task Given_ApprovalOverTheCap_When_Decided_Then_RefusedWithTheRemainingBudgetAndNothingIsRecorded()
    {
        var s = await ReleaseScenario.StartAsync(host, "tight");
        var first = await s.SubmitAndAcceptAsync(epsilon: 1.0);
        await Json(await s.ApproveAsync(first), HttpStatusCode.OK);
        var second = await s.SubmitAndAcceptAsync(epsilon: 1.0);
        await Json(await s.Members[0].PostAsJsonAsync($"/decisions/{second}/votes", new { decision = "approve", reason = "ok" }), HttpStatusCode.OK);
        var before = (await host.EventStore.FetchStreamAsync(second)).Count;

        var refused = await Problem(await s.Members[1].PostAsJsonAsync($"/decisions/{second}/votes", new { decision = "approve", reason = "ok" }),
            HttpStatusCode.Conflict, "RG3001");
        Assert.Contains("largest epsilon still available", (string?)refused["detail"]);
        Assert.Equal(before, (await host.EventStore.FetchStreamAsync(second)).Count);
        var ledger = await Json(await s.Compliance.GetAsync($"/datasets/{s.DatasetId}/budget"), HttpStatusCode.OK);
        Assert.Single(ledger["entries"]!.AsArray());
        Assert.InRange((double)ledger["remainingEpsilon"]!, 0.01, 0.99);
        Assert.Contains($"{(double)ledger["remainingEpsilon"]!:G4}", (string?)refused["detail"]);
        await s.WaitForStateAsync(first, "Released", "Blocked");
    }

    [Fact]
    public async Task Given_RevokedRelease_When_Downloaded_Then_RefusedAndTheRevocationIsRecordedWithItsReason()
    {
        var (s, requestId, releaseId) = await PublishedAsync("revoke");
        Assert.Equal(HttpStatusCode.OK, (await s.Researcher.GetAsync($"/releases/{releaseId}/artifacts/manifest.json")).StatusCode);
        await Problem(await s.Researcher.PostAsJsonAsync($"/releases/{releaseId}/revoke", new { reason = "mine" }), HttpStatusCode.Forbidden, "RG2002");

        var revoked = await Json(await s.Members[2].PostAsJsonAsync($"/releases/{releaseId}/revoke", new { reason = "Consent withdrawn by the study" }), HttpStatusCode.OK);
        Assert.Equal("Revoked", (string?)revoked["status"]);
        var gone = await Problem(await s.Researcher.GetAsync($"/releases/{releaseId}/artifacts/synthetic.csv"), HttpStatusCode.Gone, "RG3003");
        Assert.Contains("Consent withdrawn", (string?)gone["detail"]);
        Assert.Equal("Revoked", (string?)(await s.WaitForStateAsync(requestId, "Revoked"))["state"]);
        await AssertAuditHoldsAsync(requestId, releaseId, "ReleasePublished", "ReleaseRevoked");
    }

    [Fact]
    public async Task Given_ExpiredRelease_When_DownloadedAndSwept_Then_RefusedAndTheRequestMovesToExpired()
    {
        var (s, requestId, releaseId) = await PublishedAsync("expire");
        var details = await host.EventStore.LoadAsync<ReleaseDetails>(releaseId);
        // The sweep as the recurring job runs it, on a clock 31 days on (the request asked for 30 days of access).
        var later = new FakeTimeProvider(details!.ExpiresAt!.Value.AddDays(1));
        var lifecycle = new ReleaseLifecycle(host.EventStore, host.Services.GetRequiredService<WorkflowCatalog>(), later);
        Assert.True(await lifecycle.ExpireDueAsync(CancellationToken.None) >= 1);

        await Problem(await s.Researcher.GetAsync($"/releases/{releaseId}/artifacts/synthetic.csv"), HttpStatusCode.Gone, "RG3003");
        Assert.Equal("Expired", (string?)(await s.WaitForStateAsync(requestId, "Expired"))["state"]);
        await AssertAuditHoldsAsync(requestId, releaseId, "ReleasePublished", "ReleaseExpired");
    }

    [Fact]
    public async Task Given_AnotherResearchersRelease_When_ViewedOrDownloaded_Then_Refused()
    {
        var (s, _, releaseId) = await PublishedAsync("e2e-other");
        var (other, _) = await host.CreateClientForRoleAsync(Roles.Researcher);
        await Problem(await other.GetAsync($"/releases/{releaseId}"), HttpStatusCode.NotFound, "RG3002");
        await Problem(await other.GetAsync($"/releases/{releaseId}/artifacts/synthetic.csv"), HttpStatusCode.NotFound, "RG3002");
        Assert.Equal(HttpStatusCode.OK, (await s.Compliance.GetAsync($"/releases/{releaseId}/artifacts/synthetic.csv")).StatusCode);
    }

    [Fact]
    public async Task Given_RequestWithdrawnWhileGenerating_When_TheJobEnds_Then_TheAttemptEndsOnTheRecordAndTheChargeStays()
    {
        var steward = (await host.CreateClientForRoleAsync(Roles.DataSteward)).Client;
        var (researcher, _) = await host.CreateClientForRoleAsync(Roles.Researcher);
        var registered = await Json(await steward.PostAsJsonAsync("/datasets",
            new { name = "withdrawn", description = "Synthetic-scale table", owner = "Test", schema = JsonNode.Parse(LargeTable.Schema) }), HttpStatusCode.Created);
        var datasetId = Guid.Parse((string)registered["id"]!);
        await Json(await steward.PutAsync($"/datasets/{datasetId}/source",
            new StringContent(LargeTable.Csv(40_000, seed: 11), System.Text.Encoding.UTF8, "text/csv")), HttpStatusCode.OK);
        var created = await Json(await researcher.PostAsJsonAsync("/requests", new
        {
            datasetId, title = "Scale", purpose = "Scale", justification = "Withdrawal test", intendedUse = "Testing",
            columns = LargeTable.Columns, epsilon = 1.0, rows = 100_000, generator = (string?)null, accessDays = 30,
        }), HttpStatusCode.Created);
        var requestId = Guid.Parse((string)created["id"]!);
        await Json(await steward.PostAsync($"/decisions/{requestId}/accept-for-review", null), HttpStatusCode.OK);
        for (var i = 0; i < 2; i++)
        {
            var member = (await host.CreateClientForRoleAsync(Roles.CommitteeMember)).Client;
            await Json(await member.PostAsJsonAsync($"/decisions/{requestId}/votes", new { decision = "approve", reason = "ok" }), HttpStatusCode.OK);
        }
        await Eventually.TrueAsync(async () =>
        {
            var state = (string?)(await Json(await researcher.GetAsync($"/requests/{requestId}"), HttpStatusCode.OK))["state"];
            Assert.True(state is "Approved" or "Generating", $"the request went on to {state} before the test could withdraw it");
            return state == "Generating";
        }, "the request to start generating", TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(20));

        await Json(await researcher.PostAsync($"/requests/{requestId}/withdraw", null), HttpStatusCode.OK);

        var release = await Eventually.ValueAsync(
            async () => (await host.EventStore.QueryAsync<ReleaseDetails>()).SingleOrDefault(r => r.RequestId == requestId),
            r => r?.Status == ReleaseStatus.Blocked, r => $"the attempt to be blocked (it is {r?.Status ?? "not started"})",
            TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(200));
        Assert.Equal(ReleaseStatus.Blocked, release?.Status);
        Assert.Contains("Withdrawn", release!.BlockedReason);
        var ledger = PrivacyBudgetLedger.Rebuild(datasetId, await host.EventStore.FetchStreamAsync(PrivacyBudgetLedger.StreamIdFor(datasetId)));
        Assert.True(ledger.Entries[release.Id].Charged);
        Assert.Equal("Withdrawn", (string?)(await Json(await researcher.GetAsync($"/requests/{requestId}"), HttpStatusCode.OK))["state"]);
    }

    [Fact]
    public async Task Given_TwoKeyWorkflow_When_TheReleasePassesItsGates_Then_ItWaitsForTheComplianceSignOffBeforePublishing()
    {
        var s = await ReleaseScenario.StartAsync(host, "two-key");
        var requestId = await s.SubmitAndAcceptAsync(rows: 200);
        await Json(await s.ApproveAsync(requestId), HttpStatusCode.OK);
        await s.WaitForStateAsync(requestId, "AwaitingSignOff", "Blocked");
        var release = await s.LatestReleaseAsync(requestId);
        Assert.True((string?)release["status"] == "AwaitingPublication", $"not evaluated as passing: {release["blockedReason"]}");
        Assert.Empty(release["artifacts"]!.AsArray()); // nothing is downloadable before the second key

        await Json(await s.Compliance.PostAsJsonAsync($"/decisions/{requestId}/sign-off", new { approve = true, reason = "Report reviewed" }), HttpStatusCode.OK);
        await s.WaitForStateAsync(requestId, "Released");
        Assert.Equal("Published", (string?)(await s.LatestReleaseAsync(requestId))["status"]);
    }

    [Fact]
    public async Task Given_NeuralGenerator_When_ThePipelineRunsIt_Then_TheLedgerHoldsItsRenyiCurve()
    {
        var s = await ReleaseScenario.StartAsync(host, "neural");
        var requestId = await s.SubmitAndAcceptAsync(epsilon: 1.0, rows: 300, generator: "made");
        await Json(await s.ApproveAsync(requestId), HttpStatusCode.OK);
        await s.WaitForStateAsync(requestId, "Released", "Blocked");

        var release = await s.LatestReleaseAsync(requestId);
        Assert.Equal("made", (string?)release["generator"]);
        var releaseId = Guid.Parse((string)release["id"]!);
        var events = (await host.EventStore.FetchStreamAsync(releaseId)).Select(e => e.Data).ToList();
        var generated = Assert.Single(events.OfType<SyntheticTableGenerated>());
        Assert.Equal(300, generated.Rows);
        Assert.NotNull(generated.Cost.Rdp); // DP-SGD is accounted as a Rényi curve, composed with the zCDP releases
        Assert.Single(events.OfType<ReleaseEvaluated>());
        var ledger = PrivacyBudgetLedger.Rebuild(s.DatasetId, await host.EventStore.FetchStreamAsync(PrivacyBudgetLedger.StreamIdFor(s.DatasetId)));
        // The entry is the pointwise upper bound of the zCDP reservation and the accounted curve: at least ε = 1,
        // a little more where the two curves cross.
        Assert.InRange(ledger.Spent.EpsilonAt(1e-6), 0.999, 1.3);
        Assert.NotNull(ledger.Entries[releaseId].Cost.Rdp);
    }

    private async Task<(ReleaseScenario Scenario, Guid RequestId, Guid ReleaseId)> PublishedAsync(string datasetName)
    {
        var s = await ReleaseScenario.StartAsync(host, datasetName);
        var requestId = await s.SubmitAndAcceptAsync(rows: 200);
        await Json(await s.ApproveAsync(requestId), HttpStatusCode.OK);
        await s.WaitForStateAsync(requestId, "Released", "Blocked");
        var release = await s.LatestReleaseAsync(requestId);
        Assert.True((string?)release["status"] == "Published", $"not published: {release["blockedReason"]}");
        return (s, requestId, Guid.Parse((string)release["id"]!));
    }

    private async Task AssertAuditHoldsAsync(Guid requestId, Guid releaseId, params string[] expected)
    {
        var audit = await ChainVerifier.VerifyStoreAsync(host.EventStore);
        Assert.True(audit.Intact, audit.Reason);
        var types = new List<string>();
        await foreach (var e in host.EventStore.ReadAllAsync())
            if (e.StreamId == requestId || e.StreamId == releaseId || (e.Data is PrivacyBudgetReserved r && r.RequestId == requestId)
                || (e.Data is PrivacyBudgetCharged c && c.RequestId == requestId))
                types.Add(e.EventType);
        foreach (var type in expected) Assert.Contains(type, types);
    }
}
