using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.IntegrationTests.Releases;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Releases.Pipeline;
using static ReleaseGateway.IntegrationTests.Requests.RequestsApi;
using ReleaseGateway.Testing;

namespace ReleaseGateway.IntegrationTests.Web;

public sealed class ReleasePagesTestsOnSqlite(SqlitePipelineHost host) : ReleasePagesTests<SqlitePipelineHost>(host);

public sealed class ReleasePagesTestsOnPostgres(PostgresPipelineHost host) : ReleasePagesTests<PostgresPipelineHost>(host);

/// <summary>
/// The pages of the release pipeline over real HTTP, with the pipeline's jobs running on the real job engine: a
/// researcher follows a request to its release and downloads from the release page (each download an event); another
/// researcher cannot find it; the committee reads the embedded report of a blocked request and approves a regeneration;
/// a steward revokes and downloads stop; the ledger page draws the budget. The scenario's data is made through the
/// API; the actions under test go through the pages.
/// </summary>
public abstract class ReleasePagesTests<THost>(THost host) : IClassFixture<THost> where THost : GatewayHost
{
    [Fact]
    public async Task Given_ApprovedRequest_When_TheResearcherFollowsItAndDownloadsFromTheReleasePage_Then_TheDownloadIsAnEvent()
    {
        var s = await ReleaseScenario.StartAsync(host, "web-release");
        var requestId = await s.SubmitAndAcceptAsync();
        using var researcher = await WebSession.SignInAsync(host, s.ResearcherUser);
        Assert.DoesNotContain("Release pipeline", (await researcher.GetAsync($"/ui/requests/{requestId}")).Html);

        await Json(await s.ApproveAsync(requestId), HttpStatusCode.OK);

        // While the gateway works, the page says where the job is and offers to refresh itself (no script); it refreshes
        // only once asked (a page reloading unasked moves focus and restarts screen readers: WCAG 2.2.1).
        var working = await researcher.GetAsync($"/ui/requests/{requestId}");
        Assert.Contains("<h2 id=\"pipeline\">Release pipeline</h2>", working.Html);
        Assert.DoesNotContain("http-equiv=\"refresh\"", working.Html);
        Assert.Contains($"<a href=\"/ui/requests/{requestId}?follow=on\">Refresh this page every 3 seconds</a>", working.Html);
        var following = await researcher.GetAsync($"/ui/requests/{requestId}?follow=on");
        Assert.Contains("<meta http-equiv=\"refresh\" content=\"3\">", following.Html);
        Assert.Matches("Job: (waiting for a worker|running|about to be queued)", working.Html);
        var released = await WaitForPageAsync(researcher, $"/ui/requests/{requestId}", "<span class=\"state\">Released</span>", "<span class=\"state\">Blocked</span>");
        Assert.DoesNotContain("<span class=\"state\">Blocked</span>", released.Html);
        Assert.DoesNotContain("http-equiv=\"refresh\"", released.Html);
        var releaseId = Guid.Parse(Regex.Match(released.Html, "href=\"/ui/releases/([0-9a-f-]{36})\">Attempt 1</a>").Groups[1].Value);
        Assert.Contains("<span class=\"state\">Published</span>", released.Html);
        // The timeline names the gateway's steps in words, and who took them.
        Assert.Matches("<td>The release checks passed</td>\\s*<td>gateway</td>", released.Html); // a requester sees roles, not who (issue 15, row 8)
        Assert.Contains("<td>Released</td>", released.Html);
        Assert.DoesNotContain("pass-gates", released.Html);
        Assert.DoesNotContain("What you can do", released.Html);
        var mine = await researcher.GetAsync("/ui/requests");
        Assert.Contains($"href=\"/ui/releases/{releaseId}\">Attempt 1</a>", mine.Html);
        Assert.Contains("ε still available", (await researcher.GetAsync("/ui/requests/new")).Html);

        var page = await researcher.GetAsync($"/ui/releases/{releaseId}");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("Release: Recurrence model, attempt 1 · ReleaseGateway", page.Title);
        Assert.Contains("<button type=\"submit\" class=\"secondary\">Download synthetic.csv</button>", page.Html);
        Assert.Contains("href=\"/.well-known/rgw-signing-key.pem\"", page.Html);
        Assert.Contains("rgw release verify manifest.json --key gateway.pub.pem --require-all", page.Html);
        Assert.Contains("<h2 id=\"manifest\">Manifest</h2>", page.Html);
        Assert.Contains("ε charged", page.Html);
        // Outside the trust boundary (docs/privacy.md): no approvers, no gate values, no real-data details; the release report instead.
        Assert.DoesNotContain("committee members", page.Html);
        Assert.DoesNotContain("Gate results", page.Html);
        Assert.DoesNotContain("maxMembershipTprAt1PctFpr", page.Html);
        Assert.Contains("<dt>Privacy unit</dt><dd>row</dd>", page.Html);
        Assert.Contains("The manifest records the SHA-256 of synthetic.csv, synthetic.parquet, release-report.json, release-report.html: the hashes in the file table above.", page.Html);
        AssertCspAllowsNoOtherOrigin(page);
        // The committee's evaluation report never reaches the researcher, on any route.
        Assert.DoesNotContain("<iframe", page.Html);
        Assert.Equal(HttpStatusCode.NotFound, (await researcher.GetAsync($"/ui/releases/{releaseId}/report")).Status);

        var download = await researcher.PostAsync(page, $"/ui/releases/{releaseId}?handler=Download", ("artifact", "synthetic.csv"));

        Assert.Equal(HttpStatusCode.OK, download.Status);
        Assert.Equal("text/csv", download.Response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("synthetic.csv", download.Response.Content.Headers.ContentDisposition!.FileNameStar ?? download.Response.Content.Headers.ContentDisposition.FileName);
        var api = await Json(await s.Compliance.GetAsync($"/releases/{releaseId}"), HttpStatusCode.OK);
        var artifact = api["release"]!["artifacts"]!.AsArray().Single(a => (string?)a!["name"] == "synthetic.csv")!;
        Assert.Equal((string)artifact["sha256"]!, Convert.ToHexStringLower(SHA256.HashData(await download.Response.Content.ReadAsByteArrayAsync())));
        var recorded = Assert.Single(api["release"]!["downloads"]!.AsArray())!;
        Assert.Equal(s.ResearcherUser.Id.ToString(), (string?)recorded["by"]);
        Assert.Equal("Researcher", (string?)recorded["role"]);
        Assert.Equal("synthetic.csv", (string?)recorded["artifact"]);
        Assert.Single((await host.EventStore.FetchStreamAsync(releaseId)), e => e.Data is ReleaseArtifactDownloaded);
        Assert.Contains("1 download by you", (await researcher.GetAsync($"/ui/releases/{releaseId}")).Html);

        // Another researcher: the release does not exist for them, and nothing is recorded.
        using var other = await WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.Researcher));
        var notFound = await other.GetAsync($"/ui/releases/{releaseId}");
        Assert.Equal(HttpStatusCode.NotFound, notFound.Status);
        Assert.DoesNotContain("Recurrence model", notFound.Html);
        var ownPage = await other.GetAsync("/ui/releases");
        Assert.DoesNotContain(releaseId.ToString(), ownPage.Html);
        var forged = await other.PostAsync(ownPage, $"/ui/releases/{releaseId}?handler=Download", ("artifact", "synthetic.csv"));
        Assert.Equal(HttpStatusCode.NotFound, forged.Status);
        Assert.Single((await host.EventStore.FetchStreamAsync(releaseId)), e => e.Data is ReleaseArtifactDownloaded);
    }

    [Fact]
    public async Task Given_BlockedRequest_When_TheCommitteeReadsItsReport_Then_ItApprovesARegenerationWithANewEpsilonFromThePage()
    {
        var s = await ReleaseScenario.StartAsync(host, "web-gated");
        var requestId = await s.SubmitAndAcceptAsync(epsilon: 0.5);
        await Json(await s.ApproveAsync(requestId), HttpStatusCode.OK);
        await s.WaitForStateAsync(requestId, "Blocked");
        using var first = await WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.CommitteeMember));
        using var second = await WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.CommitteeMember));

        var blocked = await first.GetAsync($"/ui/requests/{requestId}");

        Assert.Contains("<h2 id=\"evaluation\">Evaluation of attempt 1</h2>", blocked.Html);
        var releaseId = Guid.Parse(Regex.Match(blocked.Html, "href=\"/ui/releases/([0-9a-f-]{36})/report\"").Groups[1].Value);
        // The gate table comes first, then the full report, on its own page (no frame with its own scrollbar in a long page).
        Assert.True(blocked.Html.IndexOf("<tr class=\"gate-fail\">", StringComparison.Ordinal) < blocked.Html.IndexOf("/report\"", StringComparison.Ordinal));
        Assert.DoesNotContain("<iframe", blocked.Html);
        Assert.DoesNotContain("frame-src", Csp(blocked));
        AssertCspAllowsNoOtherOrigin(blocked);
        Assert.Contains("Decide on the blocked request", blocked.Html);
        Assert.Contains("value=\"0.5\"", blocked.TagOf("Vote_Epsilon"));

        var report = await first.GetAsync($"/ui/releases/{releaseId}/report");
        Assert.Equal(HttpStatusCode.OK, report.Status);
        Assert.Equal("text/html", report.Response.Content.Headers.ContentType!.MediaType);
        Assert.True(report.Html.IndexOf("<h2>Gates</h2>", StringComparison.Ordinal) < report.Html.IndexOf("<svg", StringComparison.Ordinal));
        var reportCsp = Csp(report);
        Assert.Contains("default-src 'none'", reportCsp);
        Assert.Contains("frame-ancestors 'self'", reportCsp);
        Assert.DoesNotContain("script-src", reportCsp);
        Assert.DoesNotContain("unsafe-inline", reportCsp);
        // Exactly the report's own inline style sheet is allowed (by its hash), and its inline images; no origin at all.
        var style = Regex.Match(report.Html, "<style>(.*?)</style>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains($"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(style)))}'", reportCsp);
        foreach (var source in reportCsp.Split(';').SelectMany(d => d.Trim().Split(' ').Skip(1)))
            Assert.True(source is "'none'" or "'self'" or "data:" or "'unsafe-hashes'" || source.StartsWith("'sha256-", StringComparison.Ordinal), source);
        Assert.Equal("SAMEORIGIN", report.Response.Headers.GetValues("X-Frame-Options").Single());
        // Inside the boundary, every view of the evaluation report is an event: who, in which role, through the web.
        var viewed = (await host.EventStore.FetchStreamAsync(releaseId)).Select(e => e.Data).OfType<EvaluationReportViewed>().ToList();
        Assert.Contains(viewed, v => v.Via == "web" && v.Report == "evaluation-report.html" && v.Role == Roles.CommitteeMember);
        // The DP release check is what blocked it; the committee sees it among the gates.
        Assert.Contains("<code>dpCopyTest</code>", blocked.Html);

        var evaluations = await first.GetAsync("/ui/evaluations");
        Assert.Contains($"href=\"/ui/releases/{releaseId}#report\"", evaluations.Html);
        AssertCspAllowsNoOtherOrigin(evaluations);

        var voted = await first.PostAsync(blocked, $"/ui/requests/{requestId}?handler=Vote", ("Vote.Decision", "approve"), ("Vote.Reason", "Try with more budget"),
            ("Vote.Epsilon", "0.8"), ("Vote.Rows", "500"), ("Vote.Generator", ""));
        Assert.Contains("Your vote is recorded.", (await first.FollowAsync(voted)).Html);
        var secondPage = await second.GetAsync($"/ui/requests/{requestId}");
        Assert.Contains("value=\"0.8\"", secondPage.TagOf("Vote_Epsilon"));
        var overPolicy = await second.PostAsync(secondPage, $"/ui/requests/{requestId}?handler=Vote", ("Vote.Decision", "approve"), ("Vote.Reason", "Agreed"),
            ("Vote.Epsilon", "5"), ("Vote.Rows", "500"), ("Vote.Generator", ""));
        Assert.Equal(HttpStatusCode.BadRequest, overPolicy.Status);
        Assert.Contains("ε must be from", overPolicy.TextOf("Vote_Epsilon-error"));
        var decided = await second.PostAsync(secondPage, $"/ui/requests/{requestId}?handler=Vote", ("Vote.Decision", "approve"), ("Vote.Reason", "Agreed"),
            ("Vote.Epsilon", "0.8"), ("Vote.Rows", "500"), ("Vote.Generator", ""));
        Assert.Equal(HttpStatusCode.Redirect, decided.Status);

        var terms = await Json(await s.Compliance.GetAsync($"/requests/{requestId}"), HttpStatusCode.OK);
        Assert.Equal(0.8, (double)terms["terms"]!["epsilon"]!);
        await s.WaitForStateAsync(requestId, "Blocked");
        var attempts = JsonNode.Parse(await s.Researcher.GetStringAsync($"/requests/{requestId}/releases"))!.AsArray();
        Assert.Equal([0.5, 0.8], attempts.Select(a => (double)a!["release"]!["epsilon"]!).ToArray());
        Assert.Contains("Evaluation of attempt 2", (await first.GetAsync($"/ui/requests/{requestId}")).Html);
    }

    [Fact]
    public async Task Given_PublishedRelease_When_TheStewardRevokesItFromItsPage_Then_DownloadsStopAndTheLedgerPageDrawsTheBudget()
    {
        var s = await ReleaseScenario.StartAsync(host, "web-revoke");
        var requestId = await s.SubmitAndAcceptAsync();
        await Json(await s.ApproveAsync(requestId), HttpStatusCode.OK);
        var state = await s.WaitForStateAsync(requestId, "Released", "Blocked");
        var latest = await s.LatestReleaseAsync(requestId);
        Assert.True((string?)state["state"] == "Released", $"blocked: {latest["blockedReason"]}");
        var releaseId = Guid.Parse((string)latest["id"]!);
        using var researcher = await WebSession.SignInAsync(host, s.ResearcherUser);
        var researcherPage = await researcher.GetAsync($"/ui/releases/{releaseId}");
        Assert.Equal(HttpStatusCode.OK,
            (await researcher.PostAsync(researcherPage, $"/ui/releases/{releaseId}?handler=Download", ("artifact", "manifest.json"))).Status);

        // The ledger: a chart over time, the release that spent it, and who downloaded what.
        using var officer = await WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.ComplianceOfficer));
        Assert.Contains($"href=\"/ui/budget/{s.DatasetId}\">Ledger of web-revoke</a>", (await officer.GetAsync("/ui/budget")).Html);
        var ledger = await officer.GetAsync($"/ui/budget/{s.DatasetId}");
        Assert.Equal("Budget ledger: web-revoke · ReleaseGateway", ledger.Title);
        Assert.Contains("<svg class=\"chart\"", ledger.Html);
        Assert.Contains("<path class=\"chart-spent\" d=\"M", ledger.Html);
        Assert.Contains("cap ε = 4", ledger.Html);
        Assert.Contains($"href=\"/ui/releases/{releaseId}\">Attempt 1</a>", ledger.Html);
        Assert.Contains($"href=\"/ui/releases/{releaseId}#downloads\">1 download</a>", ledger.Html);
        Assert.Contains("Privacy budget charged", ledger.Html);
        // Events seconds apart still get a time axis whose three labels differ.
        var ticks = Regex.Matches(ledger.Html, "<text class=\"chart-label\"[^>]*>([^<]*UTC)</text>").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(3, ticks.Distinct().Count());
        var downloads = await officer.GetAsync($"/ui/releases/{releaseId}");
        Assert.Matches($"<td>{Regex.Escape(s.ResearcherUser.Email)}</td>\\s*<td>Researcher</td>\\s*<td><code>manifest.json</code></td>", downloads.Html);
        AssertCspAllowsNoOtherOrigin(ledger);
        var view = BudgetLedgerView.Build(s.DatasetId, new BudgetCap(4, 1e-6, 4),
            await host.EventStore.FetchStreamAsync(PrivacyBudgetLedger.StreamIdFor(s.DatasetId)));
        Assert.Contains($"<dd>{view.RemainingEpsilon.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} <span", ledger.Html);
        // The audit trail's dataset filter takes in the ledger's and the release's streams.
        var audit = await officer.GetAsync($"/ui/audit?dataset={s.DatasetId}&size=200");
        Assert.Contains("Privacy budget charged", audit.Html);
        Assert.Contains("Release published", audit.Html);

        using var steward = await WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.DataSteward));
        Assert.Contains($"href=\"/ui/releases/{releaseId}#revoke-title\">Revoke the release (on its page)</a>", (await steward.GetAsync($"/ui/requests/{requestId}")).Html);
        var stewardPage = await steward.GetAsync($"/ui/releases/{releaseId}");
        Assert.Contains("<h2 id=\"revoke-title\">Revoke this release</h2>", stewardPage.Html);
        Assert.DoesNotContain("Download synthetic.csv", stewardPage.Html);
        var noReason = await steward.PostAsync(stewardPage, $"/ui/releases/{releaseId}?handler=Revoke", ("Revoke.Reason", ""));
        Assert.Equal(HttpStatusCode.BadRequest, noReason.Status);
        Assert.Contains("Give a reason", noReason.TextOf("Revoke_Reason-error"));

        var revoked = await steward.PostAsync(stewardPage, $"/ui/releases/{releaseId}?handler=Revoke", ("Revoke.Reason", "Consent withdrawn for part of the cohort"));

        Assert.Equal(HttpStatusCode.Redirect, revoked.Status);
        var after = await steward.FollowAsync(revoked);
        Assert.Contains("The release is revoked: downloads have stopped.", after.Html);
        Assert.DoesNotContain("What you can do", (await steward.GetAsync($"/ui/requests/{requestId}")).Html);
        Assert.DoesNotContain("Revoke this release", after.Html);
        var refused = await researcher.PostAsync(researcherPage, $"/ui/releases/{releaseId}?handler=Download", ("artifact", "synthetic.csv"));
        Assert.Equal(HttpStatusCode.Gone, refused.Status);
        Assert.Contains("Release no longer available", refused.Html);
        Assert.Contains("href=\"/errors/RG3003\"", refused.Html);
        Assert.DoesNotContain("Download synthetic.csv", (await researcher.GetAsync($"/ui/releases/{releaseId}")).Html);
        Assert.Single((await host.EventStore.FetchStreamAsync(releaseId)), e => e.Data is ReleaseArtifactDownloaded);
        Assert.Equal("Revoked", (string?)(await Json(await s.Researcher.GetAsync($"/requests/{requestId}"), HttpStatusCode.OK))["state"]);
    }

    [Fact]
    public async Task Given_ReleaseEvaluationBudgetAndJobPages_When_Requested_Then_TheirCspAllowsNoOtherOrigin()
    {
        using var officer = await WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.ComplianceOfficer, Roles.DataSteward));
        foreach (var path in new[] { "/ui/releases", "/ui/evaluations", "/ui/budget", "/ui/jobs" })
        {
            var page = await officer.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, page.Status);
            AssertCspAllowsNoOtherOrigin(page);
            Assert.DoesNotContain("frame-src", Csp(page));
        }
    }

    /// <summary>Reads <paramref name="path"/> until it contains one of <paramref name="texts"/> (a generous limit only stops a hung test).</summary>
    private static Task<WebPage> WaitForPageAsync(WebSession session, string path, params string[] texts) =>
        Eventually.ValueAsync(() => session.GetAsync(path), page => texts.Any(t => page.Html.Contains(t, StringComparison.Ordinal)),
            _ => $"{path} never showed {string.Join(" or ", texts)}", TimeSpan.FromMinutes(8), TimeSpan.FromMilliseconds(250));

    private static string Csp(WebPage page) => Assert.Single(page.Response.Headers.GetValues("Content-Security-Policy"));

    internal static void AssertCspAllowsNoOtherOrigin(WebPage page)
    {
        var csp = Csp(page);
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("script-src", csp);
        foreach (var source in csp.Split(';').SelectMany(d => d.Trim().Split(' ').Skip(1)))
            Assert.Contains(source, new[] { "'none'", "'self'" });
    }
}
