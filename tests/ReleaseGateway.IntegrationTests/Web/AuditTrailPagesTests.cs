using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Text.RegularExpressions;
using ReleaseGateway.EventStore;
using ReleaseGateway.EventStore.Audit;
using ReleaseGateway.EventStore.Export;
using ReleaseGateway.EventStore.Verification;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.IntegrationTests.Requests;
using ReleaseGateway.Requests.Datasets;
using Xunit.Abstractions;

namespace ReleaseGateway.IntegrationTests.Web;

public sealed class AuditTrailPagesTestsOnSqlite(SqliteGatewayHost host) : AuditTrailPagesTests<SqliteGatewayHost>(host);

public sealed class AuditTrailPagesTestsOnPostgres(PostgresGatewayHost host) : AuditTrailPagesTests<PostgresGatewayHost>(host);

/// <summary>The compliance officer's audit trail: filters and paging over the store's query, verification, export and checkpoint.</summary>
public abstract partial class AuditTrailPagesTests<THost>(THost host) : IClassFixture<THost> where THost : GatewayHost
{
    private readonly RequestsApi _api = new(host);

    [Fact]
    public async Task Given_AuditTrailPage_When_FilteredAndPaged_Then_ExactlyTheMatchingEventsShowAndPagingWalksBothWays()
    {
        var (steward, _) = await _api.As(Roles.DataSteward);
        var researcher = await host.CreateUserAsync(Roles.Researcher);
        var researcherApi = host.CreateClient((await host.SignInAsync(researcher)).AccessToken);
        var datasetId = await _api.DatasetWithSourceAsync(steward);
        var first = await RequestsApi.SubmitAsync(researcherApi, datasetId);
        var second = await RequestsApi.SubmitAsync(researcherApi, datasetId);
        using var officer = await WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.ComplianceOfficer));

        var byStream = Rows(await officer.GetAsync($"/ui/audit?stream={first}"));
        var byActor = Rows(await officer.GetAsync($"/ui/audit?actor={Uri.EscapeDataString(researcher.Email)}"));
        var byType = Rows(await officer.GetAsync("/ui/audit?type=AccessRequestSubmitted&size=200"));
        var byDataset = Rows(await officer.GetAsync($"/ui/audit?dataset={datasetId}"));
        var future = await officer.GetAsync($"/ui/audit?from={DateTime.UtcNow.AddDays(1):yyyy-MM-dd'T'HH:mm}");
        var unknownActor = await officer.GetAsync("/ui/audit?actor=nobody%40example.test");

        Assert.Equal(["Access request submitted"], byStream.Select(r => r.Event));
        Assert.Contains(byActor, r => r.Event == "User signed in");
        Assert.Equal(2, byActor.Count(r => r.Event == "Access request submitted"));
        Assert.All(byActor, r => Assert.Equal(researcher.Email, r.Actor));
        Assert.All(byType, r => Assert.Equal("Access request submitted", r.Event));
        Assert.Superset(new HashSet<string> { first.ToString(), second.ToString() }, byType.Select(r => r.Stream).ToHashSet());
        Assert.Equal(["Access request submitted", "Access request submitted", "Source table uploaded", "Dataset registered"], byDataset.Select(r => r.Event));
        Assert.Contains("No event matches.", future.Html);
        Assert.Contains("No user has this e-mail address.", unknownActor.Html);

        var (filler, _) = await _api.As(Roles.Researcher);
        while ((await host.EventStore.ReadHeadAsync()).Position < 60) await RequestsApi.SubmitAsync(filler, datasetId);
        var page1 = await officer.GetAsync("/ui/audit?size=25");
        var older = Link(page1, "Older events");
        var page2 = await officer.GetAsync(older);
        var newer = Link(page2, "Newer events");
        var back = await officer.GetAsync(newer);

        var positions1 = Rows(page1).Select(r => r.Position).ToList();
        var positions2 = Rows(page2).Select(r => r.Position).ToList();
        Assert.Equal(25, positions1.Count);
        Assert.Equal(positions1[^1] - 1, positions2[0]);
        Assert.Equal(Enumerable.Range(0, positions2.Count).Select(i => positions2[0] - i), positions2);
        Assert.Equal(positions1, Rows(back).Select(r => r.Position));
        // Each row carries its metadata and hashes, and they are the stored ones.
        var stored = (await host.EventStore.QueryEventsAsync(new EventQuery { StreamIds = [first] })).Events.Single();
        var streamPage = await officer.GetAsync($"/ui/audit?stream={first}");
        Assert.Contains(stored.Hash, streamPage.Html);
        Assert.Contains(stored.PreviousHash, streamPage.Html);
        Assert.Contains(stored.Metadata.CorrelationId, streamPage.Html);
        Assert.Contains("as Researcher", streamPage.Html);
    }

    [Fact]
    public async Task Given_AuditTrailPage_When_TheChainIsVerifiedAndExported_Then_TheResultShowsAndExportAndCheckpointVerifyOffline()
    {
        var (steward, _) = await _api.As(Roles.DataSteward);
        await _api.DatasetWithSourceAsync(steward);
        using var officer = await WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.ComplianceOfficer));
        var audit = await officer.GetAsync("/ui/audit");

        var verified = await officer.PostFilesAsync(audit, "/ui/audit?handler=Verify", []);
        Assert.Equal(HttpStatusCode.OK, verified.Status);
        Assert.Contains("Chain intact.", verified.Html);

        var publicKeyPem = (await officer.GetAsync("/ui/audit?handler=PublicKey")).Html;
        using var publicKey = AuditSigningKey.LoadPem(publicKeyPem, "download");
        var checkpointJson = (await officer.GetAsync("/ui/audit?handler=Checkpoint")).Html;
        var checkpoint = SignedCheckpoint.Parse(checkpointJson);
        Assert.True(checkpoint.VerifySignature(publicKey));
        Assert.True(checkpoint.Position > 0);

        var againstCheckpoint = await officer.PostFilesAsync(audit, "/ui/audit?handler=Verify", [], ("checkpoint", "checkpoint.json", checkpointJson));
        Assert.Contains("consistent with the signed checkpoint", againstCheckpoint.Html);
        var notACheckpoint = await officer.PostFilesAsync(audit, "/ui/audit?handler=Verify", [], ("checkpoint", "checkpoint.json", "{ nope"));
        Assert.Equal(HttpStatusCode.BadRequest, notACheckpoint.Status);
        Assert.Contains("The checkpoint file could not be read", notACheckpoint.Html);

        var export = await officer.Browser.GetAsync("/ui/audit?handler=Export");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("application/zip", export.Content.Headers.ContentType!.MediaType);
        var folder = Path.Combine(Path.GetTempPath(), "rgw-web-export-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var zip = await export.Content.ReadAsStreamAsync())
                ZipFile.ExtractToDirectory(zip, folder);
            var result = await AuditExport.VerifyAsync(Path.Combine(folder, "audit-export"), publicKey);
            Assert.True(result.Intact, result.Reason);
            Assert.True(result.HeadPosition >= checkpoint.Position);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Bug_AuditExportsAndCheckpointDownloads_AreRecordedWithWhoWhenAndRange()
    {
        using var officer = await WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.ComplianceOfficer));
        var checkpoint = SignedCheckpoint.Parse((await officer.GetAsync("/ui/audit?handler=Checkpoint")).Html);
        var export = await officer.Browser.GetAsync("/ui/audit?handler=Export");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);

        var recorded = (await host.EventStore.QueryEventsAsync(new EventQuery { EventTypes = [nameof(AuditLogExported)], ActorId = officer.User.Id.ToString() }))
            .Events.ToList();
        Assert.Equal(["export", "checkpoint"], recorded.Select(e => ((AuditLogExported)e.Data!).Kind));
        var taken = (AuditLogExported)recorded[1].Data!;
        Assert.Equal((1L, checkpoint.Position, checkpoint.Hash, officer.User.Id.ToString()), (taken.FromPosition, taken.ToPosition, taken.ToHash, taken.ExportedBy));
        // The record follows the range it describes: it is the first event the checkpoint does not cover.
        Assert.True(recorded[1].Position > checkpoint.Position);
        Assert.Equal("ComplianceOfficer", recorded[0].Metadata.ActorRole);
    }

    [Fact]
    public async Task Given_OtherRoles_When_ReadingOrDownloadingTheAuditTrail_Then_Refused()
    {
        using var steward = await WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.DataSteward, Roles.CommitteeMember));

        foreach (var path in new[] { "/ui/audit", "/ui/audit?handler=Export", "/ui/audit?handler=Checkpoint" })
        {
            var refused = await steward.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, refused.Status);
            Assert.StartsWith("/ui/denied", steward.Browser.Location(refused.Response).OriginalString);
        }
    }

    internal sealed record Row(long Position, string Event, string Stream, string Actor);

    internal static List<Row> Rows(WebPage page)
    {
        Assert.Equal(HttpStatusCode.OK, page.Status);
        return [.. RowPattern().Matches(page.Html).Select(m => new Row(long.Parse(m.Groups["position"].Value, System.Globalization.CultureInfo.InvariantCulture),
            WebUtility.HtmlDecode(m.Groups["event"].Value.Trim()), m.Groups["stream"].Value, WebUtility.HtmlDecode(m.Groups["actor"].Value.Trim())))];
    }

    private static string Link(WebPage page, string text) =>
        WebUtility.HtmlDecode(Regex.Match(page.Html, $"<a href=\"([^\"]+)\">{text}</a>").Groups[1].Value) is { Length: > 0 } href
            ? href
            : throw new InvalidOperationException($"No '{text}' link on the page.");

    // An event's name (its schema version only from 2 on), then its stream by name, linking to the stream's events.
    [GeneratedRegex("<td class=\"num\">(?<position>\\d+)</td>\\s*<td><time[^>]*>[^<]*</time></td>\\s*<td>(?<event>[^<]*)(?:<span[^>]*>[^<]*</span>)?\\s*</td>\\s*" +
        "<td><a href=\"/ui/audit\\?stream=(?<stream>[0-9a-f-]+)\"[^>]*>[^<]*</a>\\s*<span[^>]*>[^<]*</span></td>\\s*<td>(?<actor>[^<]*)<span")]
    private static partial Regex RowPattern();
}

/// <summary>
/// The audit trail page with 100,000 events in the log: every filter and a deep page still render the right events.
/// How long they take is measured by bench/ReleaseGateway.Web.Bench (docs/benchmarks.md), not asserted here.
/// </summary>
public sealed class AuditTrailAt100000EventsTests(SqliteGatewayHost host, ITestOutputHelper output) : IClassFixture<SqliteGatewayHost>
{
    [Fact]
    public async Task Given_100000Events_When_EveryFilterAndADeepPageAreOpened_Then_TheyShowTheMatchingEvents()
    {
        var (steward, _) = await new RequestsApi(host).As(Roles.DataSteward);
        var datasetId = await new RequestsApi(host).DatasetWithSourceAsync(steward);
        var researcher = await host.CreateUserAsync(Roles.Researcher);
        var researcherApi = host.CreateClient((await host.SignInAsync(researcher)).AccessToken);
        var requests = new HashSet<string>();
        for (var i = 0; i < 20; i++) requests.Add((await RequestsApi.SubmitAsync(researcherApi, datasetId)).ToString());
        var seeding = Stopwatch.StartNew();
        var streams = await SeedAsync(host.EventStore, 100_000);
        output.WriteLine($"seeded {(await host.EventStore.ReadHeadAsync()).Position} events in {seeding.Elapsed.TotalSeconds:F1} s");
        using var officer = await WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.ComplianceOfficer));

        // Each filter: what every row must match, and how many rows the page must hold at least.
        (string Path, Func<AuditTrailPagesTests<SqliteGatewayHost>.Row, bool> Matches, int Rows)[] pages =
        [
            ("/ui/audit", _ => true, 50),
            ("/ui/audit?size=200", _ => true, 200),
            ("/ui/audit?before=1000", r => r.Position < 1000, 50),
            ($"/ui/audit?stream={streams[123]}", r => r.Stream == streams[123].ToString(), 10),
            ($"/ui/audit?dataset={datasetId}", r => r.Stream == datasetId.ToString() || requests.Contains(r.Stream), 22),
            ($"/ui/audit?actor={Uri.EscapeDataString(researcher.Email)}", r => r.Actor == researcher.Email, 20),
            ("/ui/audit?actor=seed-actor-7", r => r.Actor == "seed-actor-7", 50),
            ("/ui/audit?type=DatasetRegistered", r => r.Event == "Dataset registered", 1),
            ($"/ui/audit?from={DateTime.UtcNow.AddMinutes(-1):yyyy-MM-dd'T'HH:mm}&until={DateTime.UtcNow.AddMinutes(1):yyyy-MM-dd'T'HH:mm}", _ => true, 50),
        ];
        foreach (var (path, matches, count) in pages)
        {
            var rows = AuditTrailPagesTests<SqliteGatewayHost>.Rows(await officer.GetAsync(path));
            Assert.True(rows.Count >= count, $"{path}: {rows.Count} rows, expected at least {count}");
            Assert.All(rows, r => Assert.True(matches(r), $"{path}: {r}"));
        }
    }

    /// <summary>Name claims (a registered event type) on streams of ten, written in sessions of 500 by 20 actors.</summary>
    private static async Task<List<Guid>> SeedAsync(IEventStore store, int count)
    {
        var streams = new List<Guid>();
        for (var written = 0; written < count; written += 500)
        {
            await using var session = store.OpenSession(new EventMetadata($"seed-actor-{written / 500 % 20}", "System", "seed"));
            for (var s = 0; s < 50; s++)
            {
                var id = Guid.CreateVersion7();
                streams.Add(id);
                session.StartStream(id, [.. Enumerable.Range(0, 10).Select(i => (object)new DatasetNameClaimed($"seed-{i}", id, "seed", DateTimeOffset.UnixEpoch))]);
            }
            await session.SaveChangesAsync();
        }
        return streams;
    }
}
