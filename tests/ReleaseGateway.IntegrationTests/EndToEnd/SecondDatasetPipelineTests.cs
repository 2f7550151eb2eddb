using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.IntegrationTests.Notifications;
using ReleaseGateway.IntegrationTests.Releases;
using ReleaseGateway.IntegrationTests.Web;
using ReleaseGateway.Testing;
using static ReleaseGateway.IntegrationTests.Requests.RequestsApi;

namespace ReleaseGateway.IntegrationTests.EndToEnd;

public sealed class MailingPipelineSqliteHost : SqliteGatewayHost, IMailingHost
{
    public SmtpSink Sink { get; } = SmtpSink.StartNewAsync().GetAwaiter().GetResult();

    protected override void Configure(IDictionary<string, string?> settings)
    {
        PipelinePolicies.Apply(settings);
        Mailing.Configure(settings, Sink);
    }
}

public sealed class MailingPipelinePostgresHost : PostgresGatewayHost, IMailingHost
{
    public SmtpSink Sink { get; } = SmtpSink.StartNewAsync().GetAwaiter().GetResult();

    protected override void Configure(IDictionary<string, string?> settings)
    {
        PipelinePolicies.Apply(settings);
        Mailing.Configure(settings, Sink);
    }
}

public sealed class SecondDatasetPipelineTestsOnSqlite(MailingPipelineSqliteHost host) : SecondDatasetPipelineTests<MailingPipelineSqliteHost>(host);

public sealed class SecondDatasetPipelineTestsOnPostgres(MailingPipelinePostgresHost host) : SecondDatasetPipelineTests<MailingPipelinePostgresHost>(host);

/// <summary>
/// Issue 20's "done when": beside the demo's table (Pima, the default committee, no consent terms or agreement), a second dataset
/// (gbsg) with its own committee, DUO terms and data-use agreement runs the whole pipeline: request, committee, generate,
/// evaluate, publish, accept the agreement, download, visa, close-out; over real HTTP (API and pages), with the real job engine,
/// and a real SMTP listener on loopback that receives the notification of each step.
/// </summary>
public abstract class SecondDatasetPipelineTests<THost>(THost host) : IClassFixture<THost> where THost : GatewayHost, IMailingHost
{
    private const string BreastCancer = "MONDO:0007254";

    [Fact]
    public async Task Given_ASecondDatasetWithItsOwnCommitteeConsentAndAgreement_When_BothRunThePipeline_Then_EveryStepNotifiesAndTheVisaVerifies()
    {
        var (admin, _) = await host.CreateClientForRoleAsync(Roles.Administrator);
        var (steward, stewardUser) = await host.CreateClientForRoleAsync(Roles.DataSteward);
        var (pimaResearcher, pimaResearcherUser) = await host.CreateClientForRoleAsync(Roles.Researcher);
        var (researcher, researcherUser) = await host.CreateClientForRoleAsync(Roles.Researcher);
        var oncology = new List<(HttpClient Client, TestUser User)>();
        for (var i = 0; i < 3; i++) oncology.Add(await host.CreateClientForRoleAsync(Roles.CommitteeMember));
        var defaults = new List<(HttpClient Client, TestUser User)>();
        for (var i = 0; i < 2; i++) defaults.Add(await host.CreateClientForRoleAsync(Roles.CommitteeMember));

        // The oncology committee (3 members; the default committee is every CommitteeMember, ADR 0047).
        var committee = await Json(await admin.PostAsJsonAsync("/committees", new { name = "oncology-dac", description = "Decides the GBSG registry" }),
            HttpStatusCode.Created);
        var committeeId = (string)committee["id"]!;
        foreach (var (_, user) in oncology)
            await Json(await admin.PostAsJsonAsync($"/committees/{committeeId}/members", new { memberId = user.Id.ToString(), chair = false }), HttpStatusCode.OK);

        // The demo's table on the default committee; the second dataset names its committee and consent terms.
        var pimaSchema = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "deploy", "demo-data", "pima-schema.json")));
        var pima = Guid.Parse((string)(await Json(await steward.PostAsJsonAsync("/datasets",
            new { name = "e2e-pima", description = "Pima Indians diabetes (the demo's table)", owner = "NIDDK", schema = pimaSchema }), HttpStatusCode.Created))["id"]!);
        await Json(await steward.PutAsync($"/datasets/{pima}/source", new StringContent(
            await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "deploy", "demo-data", "pima.csv")), Encoding.UTF8, "text/csv")), HttpStatusCode.OK);
        var gbsgSchema = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.SharedData, "gbsg-domain.json")));
        var gbsg = Guid.Parse((string)(await Json(await steward.PostAsJsonAsync("/datasets", new
        {
            name = "e2e-oncology", description = "German Breast Cancer Study Group", owner = "GBSG", schema = gbsgSchema, committee = "oncology-dac",
            consent = new object[] { new { code = "DS", diseases = new[] { BreastCancer } }, new { code = "IRB" } },
        }), HttpStatusCode.Created))["id"]!);
        await Json(await steward.PutAsync($"/datasets/{gbsg}/source", new StringContent(
            await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.SharedData, "gbsg-disc.csv")), Encoding.UTF8, "text/csv")), HttpStatusCode.OK);

        // The steward publishes the agreement on its page.
        using (var web = await WebSession.SignInAsync(host, stewardUser))
        {
            var page = await web.GetAsync($"/ui/datasets/{gbsg}/agreement");
            Assert.Contains("has no data-use agreement", page.Html);
            var posted = await web.PostAsync(page, $"/ui/datasets/{gbsg}/agreement", ("Form.Title", "GBSG data-use agreement"),
                ("Form.Text", "Use only for the approved breast-cancer research.\nNo attempt to re-identify anyone."));
            Assert.Contains("Version 1 is published", (await web.FollowAsync(posted)).Html);
        }

        // Both requests: the second states its use in DUO terms.
        var pimaRequest = Guid.Parse((string)(await Json(await pimaResearcher.PostAsJsonAsync("/requests", new
        {
            datasetId = pima, title = "Diabetes onset", purpose = "Model diabetes onset", justification = "Screening study", intendedUse = "Academic research",
            columns = new[] { "pregnant", "glucose", "pressure", "triceps", "insulin", "mass", "pedigree", "age", "diabetes" },
            epsilon = 1.0, rows = 768, generator = "aim", accessDays = 30,
        }), HttpStatusCode.Created))["id"]!);
        var request = Guid.Parse((string)(await Json(await researcher.PostAsJsonAsync("/requests", new
        {
            datasetId = gbsg, title = "Recurrence after hormonal therapy", purpose = "Model recurrence", justification = "Treatment effect study",
            intendedUse = "Academic research", columns = ReleaseScenario.Columns, epsilon = 1.0, rows = 500, generator = (string?)null, accessDays = 30,
            use = new { purpose = "DS", diseases = new[] { BreastCancer }, ethicsApproval = true },
        }), HttpStatusCode.Created))["id"]!);
        await MailAsync(stewardUser, "New access request to screen: Recurrence after hormonal therapy");
        await MailAsync(stewardUser, "New access request to screen: Diabetes onset");

        await Json(await steward.PostAsync($"/decisions/{pimaRequest}/accept-for-review", null), HttpStatusCode.OK);
        await Json(await steward.PostAsync($"/decisions/{request}/accept-for-review", null), HttpStatusCode.OK);
        foreach (var (_, user) in oncology) await MailAsync(user, "Access request awaits your vote: Recurrence after hormonal therapy");
        await MailAsync(defaults[0].User, "Access request awaits your vote: Diabetes onset");
        // Only the oncology committee hears of its request (and may decide it).
        Assert.DoesNotContain(host.Sink.Received, m => m.To.Contains(defaults[0].User.Email) && m.Subject.Contains("Recurrence", StringComparison.Ordinal));
        await Problem(await VoteAsync(defaults[0].Client, request), HttpStatusCode.NotFound, "RG2007");

        await Json(await VoteAsync(defaults[0].Client, pimaRequest), HttpStatusCode.OK);
        await Json(await VoteAsync(defaults[1].Client, pimaRequest), HttpStatusCode.OK);
        await Json(await VoteAsync(oncology[0].Client, request), HttpStatusCode.OK);
        await Json(await VoteAsync(oncology[1].Client, request), HttpStatusCode.OK);
        await MailAsync(researcherUser, "Access request approved: Recurrence after hormonal therapy");
        await MailAsync(pimaResearcherUser, "Access request approved: Diabetes onset");

        // Generate, evaluate, publish: both pipelines run side by side on the job engine.
        await WaitReleasedAsync(pimaResearcher, pimaRequest);
        await WaitReleasedAsync(researcher, request);
        await MailAsync(researcherUser, "Access request released: Recurrence after hormonal therapy");
        await MailAsync(pimaResearcherUser, "Access request released: Diabetes onset");
        var pimaRelease = await LatestReleaseAsync(pimaResearcher, pimaRequest);
        var release = await LatestReleaseAsync(researcher, request);
        Assert.Equal(HttpStatusCode.OK, (await pimaResearcher.GetAsync($"/releases/{pimaRelease}/artifacts/synthetic.csv")).StatusCode);

        // The requester reads and accepts the agreement on the release page, downloads, and takes a visa.
        using (var web = await WebSession.SignInAsync(host, researcherUser))
        {
            var page = await web.GetAsync($"/ui/releases/{release}");
            Assert.Contains("<h2 id=\"agreement\">Data-use agreement</h2>", page.Html);
            Assert.Contains("No attempt to re-identify anyone.", page.Html);
            var refused = await web.PostAsync(page, $"/ui/releases/{release}?handler=Download", ("artifact", "synthetic.csv"));
            Assert.Contains("RG2300", refused.Html);
            var accepted = await web.FollowAsync(await web.PostAsync(page, $"/ui/releases/{release}?handler=AcceptAgreement", ("AgreementNumber", "1")));
            Assert.Contains("You accepted the data-use agreement", accepted.Html);
            var download = await web.PostAsync(accepted, $"/ui/releases/{release}?handler=Download", ("artifact", "synthetic.csv"));
            Assert.Equal(HttpStatusCode.OK, download.Status);
            Assert.Equal("text/csv", download.Response.Content.Headers.ContentType!.MediaType);

            var withVisa = await web.PostAsync(accepted, $"/ui/releases/{release}?handler=Visa");
            var visa = WebUtility.HtmlDecode(Regex.Match(withVisa.Html, "<textarea id=\"visa-token\"[^>]*>([^<]+)</textarea>").Groups[1].Value).Trim();
            using var anonymous = host.CreateClient();
            var discovery = JsonNode.Parse(await anonymous.GetStringAsync("/.well-known/openid-configuration"))!;
            var keys = new JsonWebKeySet(await anonymous.GetStringAsync((string)discovery["jwks_uri"]!)).GetSigningKeys();
            var verified = await new JsonWebTokenHandler().ValidateTokenAsync(visa, new TokenValidationParameters
            {
                ValidIssuer = (string)discovery["issuer"]!, ValidateAudience = false, IssuerSigningKeys = keys,
            });
            Assert.True(verified.IsValid, verified.Exception?.ToString());
            Assert.EndsWith("/committees/oncology-dac", (string?)JsonNode.Parse(((JsonWebToken)verified.SecurityToken).GetClaim("ga4gh_visa_v1").Value)!["source"]);

            // Close-out on the page; the committee is told and reads the note.
            var closed = await web.FollowAsync(await web.PostAsync(accepted, $"/ui/releases/{release}?handler=CloseOut",
                ("CloseOut.Note", "Recurrence model fitted; results submitted for publication; all copies deleted.")));
            Assert.Contains("Your close-out note is filed", closed.Html);
        }
        await MailAsync(oncology[2].User, "Release closed out: Recurrence after hormonal therapy");
        using (var web = await WebSession.SignInAsync(host, oncology[2].User))
            Assert.Contains("all copies deleted", (await web.GetAsync($"/ui/releases/{release}")).Html);

        // The trust boundary of the mail (ADR 0049): no note, figure or reason reaches a message.
        Assert.DoesNotContain(host.Sink.Received, m => m.Data.Contains("copies deleted", StringComparison.Ordinal));
    }

    private Task MailAsync(TestUser to, string subject) =>
        Eventually.TrueAsync(() => Task.FromResult(host.Sink.Received.Any(m => m.To.Contains(to.Email) && m.Subject.Contains(subject, StringComparison.Ordinal))),
            $"mail '{subject}' to {to.Email}", 600);

    private static async Task WaitReleasedAsync(HttpClient client, Guid requestId)
    {
        var details = await Eventually.ValueAsync(async () => await Json(await client.GetAsync($"/requests/{requestId}"), HttpStatusCode.OK),
            d => (string?)d["state"] is "Released" or "Blocked", d => $"request {requestId} stayed {(string?)d["state"]}",
            TimeSpan.FromMinutes(10), TimeSpan.FromMilliseconds(250));
        Assert.Equal("Released", (string?)details["state"]);
    }

    private static async Task<Guid> LatestReleaseAsync(HttpClient client, Guid requestId)
    {
        var releases = JsonNode.Parse(await client.GetStringAsync($"/requests/{requestId}/releases"))!.AsArray();
        return Guid.Parse((string)releases.Last()!["release"]!["id"]!);
    }
}
