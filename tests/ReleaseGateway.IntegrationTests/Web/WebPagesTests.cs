using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.IntegrationTests.Requests;

namespace ReleaseGateway.IntegrationTests.Web;

public sealed class WebPagesTestsOnSqlite(SqliteGatewayHost host) : WebPagesTests<SqliteGatewayHost>(host);

public sealed class WebPagesTestsOnPostgres(PostgresGatewayHost host) : WebPagesTests<PostgresGatewayHost>(host);

/// <summary>
/// Each role's pages over real HTTP with a session from the real sign-in: what renders, who is refused, and how
/// refusals look. The scenario data is made through the API; the actions under test go through the pages.
/// </summary>
public abstract class WebPagesTests<THost>(THost host) : IClassFixture<THost> where THost : GatewayHost
{
    private readonly RequestsApi _api = new(host);

    public static TheoryData<string, string, string> RolePages => new()
    {
        { Roles.Researcher, "/ui/requests", "My requests" },
        { Roles.Researcher, "/ui/requests/new", "New request: choose a dataset" },
        { Roles.CommitteeMember, "/ui/committee", "Awaiting my decision" },
        { Roles.DataSteward, "/ui/datasets", "Datasets" },
        { Roles.DataSteward, "/ui/datasets/register", "Register a dataset" },
        { Roles.DataSteward, "/ui/screening", "Screening" },
        { Roles.ComplianceOfficer, "/ui/audit", "Audit trail" },
        { Roles.ComplianceOfficer, "/ui/sign-off", "Awaiting sign-off" },
        { Roles.Administrator, "/ui/audit", "Audit trail" },
        { Roles.Researcher, "/ui/releases", "Releases" },
        { Roles.CommitteeMember, "/ui/evaluations", "Evaluation reports" },
        { Roles.CommitteeMember, "/ui/budget", "Budget ledger" },
        { Roles.DataSteward, "/ui/budget", "Budget ledger" },
        { Roles.ComplianceOfficer, "/ui/jobs", "Jobs" },
    };

    [Theory]
    [MemberData(nameof(RolePages))]
    public async Task Given_EachRole_When_OpeningItsPages_Then_EachHasATitleAndTheStyleSheet(string role, string path, string title)
    {
        using var session = await WebSession.SignInAsync(host, await host.CreateUserAsync(role));

        var page = await session.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal($"{title} · ReleaseGateway", page.Title);
        Assert.Contains("<link rel=\"stylesheet\" href=\"/ui/site.css\">", page.Html);
        Assert.Contains("<a class=\"skip\" href=\"#content\">", page.Html);
    }

    [Fact]
    public async Task Given_AnyPage_When_Requested_Then_ItsCspAllowsNoOtherOriginAndItIsNotCached()
    {
        using var session = await WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.Researcher));

        foreach (var path in new[] { "/ui", "/ui/requests", "/ui/site.css", "/ui/error?status=404" })
        {
            var page = await session.GetAsync(path);
            var csp = Assert.Single(page.Response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("default-src 'none'", csp);
            Assert.Contains("frame-ancestors 'none'", csp);
            Assert.DoesNotContain("script-src", csp);
            foreach (var source in csp.Split(';').SelectMany(d => d.Trim().Split(' ').Skip(1)))
                Assert.Contains(source, new[] { "'none'", "'self'" });
            if (path != "/ui/site.css") Assert.True(page.Response.Headers.CacheControl!.NoStore, path);
        }
        Assert.Equal("text/css", (await session.GetAsync("/ui/site.css")).Response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Given_Researcher_When_OpeningAnotherResearchersRequest_Then_Refused()
    {
        var (steward, _) = await _api.As(Roles.DataSteward);
        var (other, _) = await _api.As(Roles.Researcher);
        var requestId = await RequestsApi.SubmitAsync(other, await _api.DatasetWithSourceAsync(steward));
        using var session = await WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.Researcher));

        var page = await session.GetAsync($"/ui/requests/{requestId}");
        var resubmit = await session.GetAsync($"/ui/requests/{requestId}/resubmit");

        // As in the API, a request one may not see does not exist for one.
        Assert.Equal(HttpStatusCode.NotFound, page.Status);
        Assert.Equal(HttpStatusCode.NotFound, resubmit.Status);
        Assert.Contains("There is nothing at this address, or you may not see it.", page.Html);
        Assert.DoesNotContain("Readmission", page.Html);
    }

    [Theory]
    [InlineData("/ui/committee")]
    [InlineData("/ui/audit")]
    [InlineData("/ui/datasets/register")]
    [InlineData("/ui/budget")]
    [InlineData("/ui/jobs")]
    [InlineData("/ui/evaluations")]
    public async Task Given_Researcher_When_OpeningOtherRolesPages_Then_Refused(string path)
    {
        using var session = await WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.Researcher));

        var refused = await session.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, refused.Status);
        Assert.StartsWith("/ui/denied", session.Browser.Location(refused.Response).OriginalString);
        var denied = await session.FollowAsync(refused);
        Assert.Equal(HttpStatusCode.Forbidden, denied.Status);
        Assert.Contains("Your roles do not give you access", denied.Html);
    }

    [Fact]
    public async Task Given_FormWithoutAntiforgeryToken_When_Posted_Then_RefusedAndNothingIsAppended()
    {
        var (steward, _) = await _api.As(Roles.DataSteward);
        var researcher = await host.CreateUserAsync(Roles.Researcher);
        var api = host.CreateClient((await host.SignInAsync(researcher)).AccessToken);
        var requestId = await RequestsApi.SubmitAsync(api, await _api.DatasetWithSourceAsync(steward));
        using var session = await WebSession.SignInAsync(host, researcher);
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync($"/ui/requests/{requestId}")).Status);
        var before = await _api.EventTypesAsync(requestId);

        var forged = await session.Browser.PostFormAsync($"/ui/requests/{requestId}?handler=Withdraw", []);

        var forgedHtml = await forged.Content.ReadAsStringAsync();
        Assert.True(forged.StatusCode == HttpStatusCode.BadRequest, $"{forged.StatusCode}: {forgedHtml}");
        Assert.Contains("The request could not be used", forgedHtml);
        Assert.Equal(before, await _api.EventTypesAsync(requestId));
    }

    [Fact]
    public async Task Given_InvalidTerms_When_Submitted_Then_TheModulesMessagesShowBesideTheirFieldsAndNothingIsSubmitted()
    {
        var (steward, _) = await _api.As(Roles.DataSteward);
        var datasetId = await _api.DatasetWithSourceAsync(steward);
        using var session = await WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.Researcher));
        var form = await session.GetAsync($"/ui/requests/new?dataset={datasetId}");
        Assert.Contains("<label for=\"Form_Epsilon\">", form.Html);

        var refused = await session.PostAsync(form, $"/ui/requests/new?dataset={datasetId}",
            ("dataset", datasetId.ToString()), ("SubmissionKey", Guid.NewGuid().ToString("N")),
            ("Form.Title", ""), ("Form.Purpose", "Model readmission"), ("Form.Justification", "Risk model"), ("Form.IntendedUse", "Internal"),
            ("Form.Columns", "age"), ("Form.Columns", "not-a-column"), ("Form.Epsilon", "1000"), ("Form.Rows", "1000"), ("Form.AccessDays", "30"));

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("Give the request a title.", refused.TextOf("Form_Title-error"));
        Assert.Contains("'not-a-column' is not a column", refused.TextOf("Form_Columns-error"));
        Assert.Contains("ε must be from", refused.TextOf("Form_Epsilon-error"));
        var epsilon = refused.TagOf("Form_Epsilon")!;
        Assert.Contains("aria-invalid=\"true\"", epsilon);
        Assert.Contains("Form_Epsilon-error", epsilon);
        Assert.Contains("value=\"1000\"", epsilon);
        Assert.Contains("There are 3 problems", refused.Html);
        Assert.Contains("You have not submitted a request yet.", (await session.GetAsync("/ui/requests")).Html);
    }

    [Fact]
    public async Task Given_EmptyRequestForm_When_Submitted_Then_ItsProblemsAreListedInTheFormsOrderInWordsAResearcherUses()
    {
        var (steward, _) = await _api.As(Roles.DataSteward);
        var datasetId = await _api.DatasetWithSourceAsync(steward);
        using var session = await WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.Researcher));
        var form = await session.GetAsync($"/ui/requests/new?dataset={datasetId}");

        var refused = await session.PostAsync(form, $"/ui/requests/new?dataset={datasetId}",
            ("dataset", datasetId.ToString()), ("SubmissionKey", Guid.NewGuid().ToString("N")),
            ("Form.Title", ""), ("Form.Purpose", ""), ("Form.Justification", ""), ("Form.IntendedUse", ""),
            ("Form.Epsilon", ""), ("Form.Rows", ""), ("Form.AccessDays", ""));

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        var summary = Regex.Match(refused.Html, "<div class=\"problem\".*?</div>", RegexOptions.Singleline).Value;
        var linked = Regex.Matches(summary, "<a href=\"#Form_(\\w+)\">").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(["Title", "Purpose", "Justification", "IntendedUse", "Columns", "Epsilon", "Rows", "AccessDays"], linked);
        Assert.DoesNotContain("You entered", summary);
        Assert.DoesNotContain("'Rows'", summary);
        Assert.StartsWith("Rows must be a whole number from 1 to", refused.TextOf("Form_Rows-error"));
    }

    [Fact]
    public async Task Given_ActionTheWorkflowRefuses_When_Posted_Then_TheRequestPageShowsTheReasonWithItsCode()
    {
        var (steward, _) = await _api.As(Roles.DataSteward);
        var researcher = await host.CreateUserAsync(Roles.Researcher);
        var requestId = await RequestsApi.SubmitAsync(host.CreateClient((await host.SignInAsync(researcher)).AccessToken), await _api.DatasetWithSourceAsync(steward));
        using var session = await WebSession.SignInAsync(host, researcher);
        var page = await session.GetAsync($"/ui/requests/{requestId}");

        var withdrawn = await session.PostAsync(page, $"/ui/requests/{requestId}?handler=Withdraw");
        Assert.Contains("The request was withdrawn.", (await session.FollowAsync(withdrawn)).Html);
        // The same form again, from the page as it was before: the workflow no longer allows it.
        var again = await session.PostAsync(page, $"/ui/requests/{requestId}?handler=Withdraw");

        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Contains("Not allowed in the current state", again.Html);
        Assert.Contains("href=\"/errors/RG2001\"", again.Html);
        Assert.Contains("while the request is Withdrawn", again.Html);
        Assert.DoesNotContain("Exception", again.Html);
    }

    [Fact]
    public async Task Given_RequestSubmittedThroughTheForm_When_ChangesAreAskedFor_Then_TheResearcherResubmits()
    {
        var stewardUser = await host.CreateUserAsync(Roles.DataSteward);
        var datasetId = await _api.DatasetWithSourceAsync(host.CreateClient((await host.SignInAsync(stewardUser)).AccessToken));
        using var researcher = await WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.Researcher));
        var picker = await researcher.GetAsync("/ui/requests/new");
        Assert.Contains($"href=\"/ui/requests/new?dataset={datasetId}\"", picker.Html);
        var form = await researcher.GetAsync($"/ui/requests/new?dataset={datasetId}");
        (string, string)[] terms =
        [
            ("dataset", datasetId.ToString()), ("SubmissionKey", Key(form)),
            ("Form.Title", "Readmission after surgery"), ("Form.Purpose", "Model readmission"), ("Form.Justification", "Risk model"),
            ("Form.IntendedUse", "Internal research"), ("Form.Columns", "age"), ("Form.Columns", "outcome"), ("Form.Epsilon", "0.5"),
            ("Form.Rows", "500"), ("Form.Generator", ""), ("Form.AccessDays", "30"),
        ];

        var submitted = await researcher.PostAsync(form, $"/ui/requests/new?dataset={datasetId}", terms);
        // The same form sent twice (a double click) makes one request.
        var twice = await researcher.PostAsync(form, $"/ui/requests/new?dataset={datasetId}", terms);

        Assert.Equal(HttpStatusCode.Redirect, submitted.Status);
        Assert.Equal(submitted.Response.Headers.Location, twice.Response.Headers.Location);
        var requestId = Guid.Parse(submitted.Response.Headers.Location!.OriginalString.Split('/', '?')[3]);
        var details = await researcher.FollowAsync(submitted);
        Assert.Contains("Your request was submitted.", details.Html);
        Assert.Contains("Access request submitted", details.Html);
        Assert.Contains("0.5", details.Html);
        Assert.Contains("Readmission after surgery", (await researcher.GetAsync("/ui/requests")).Html);

        using var steward = await WebSession.SignInAsync(host, stewardUser);
        var screening = await steward.GetAsync("/ui/screening");
        Assert.Contains($"/ui/requests/{requestId}", screening.Html);
        var stewardView = await steward.GetAsync($"/ui/requests/{requestId}");
        var emptyReason = await steward.PostAsync(stewardView, $"/ui/requests/{requestId}?handler=Changes", ("Changes.Reason", ""));
        Assert.Equal(HttpStatusCode.BadRequest, emptyReason.Status);
        Assert.Contains("Say what must change", emptyReason.TextOf("Changes_Reason-error"));
        var sentBack = await steward.PostAsync(stewardView, $"/ui/requests/{requestId}?handler=Changes", ("Changes.Reason", "Fewer columns, please"));
        Assert.Contains("sent back to its researcher", (await steward.FollowAsync(sentBack)).Html);

        var revise = await researcher.GetAsync($"/ui/requests/{requestId}/resubmit");
        Assert.Contains("Fewer columns, please", revise.Html);
        Assert.Contains("value=\"Readmission after surgery\"", revise.Html);
        var resubmitted = await researcher.PostAsync(revise, $"/ui/requests/{requestId}/resubmit",
            ("Form.Title", "Readmission after surgery"), ("Form.Purpose", "Model readmission"), ("Form.Justification", "Risk model"),
            ("Form.IntendedUse", "Internal research"), ("Form.Columns", "outcome"), ("Form.Epsilon", "0.5"), ("Form.Rows", "500"), ("Form.AccessDays", "30"));
        var after = await researcher.FollowAsync(resubmitted);

        Assert.Contains("Your revised request was submitted.", after.Html);
        Assert.Equal(["AccessRequestSubmitted", "AccessRequestChangesRequested", "AccessRequestResubmitted"], await _api.EventTypesAsync(requestId));
        var api = await (await _api.As(Roles.ComplianceOfficer)).Client.GetFromJsonAsync<JsonObject>($"/requests/{requestId}");
        Assert.Equal(["outcome"], api!["terms"]!["columns"]!.AsArray().Select(c => (string)c!));
    }

    [Fact]
    public async Task Given_RequestInReview_When_CommitteeMembersUseThePages_Then_TheySeeTheContextDeclareAConflictAndVoteUntilTheQuorumApproves()
    {
        var (steward, _) = await _api.As(Roles.DataSteward);
        var researcher = await host.CreateUserAsync(Roles.Researcher);
        var researcherApi = host.CreateClient((await host.SignInAsync(researcher)).AccessToken);
        var datasetId = await _api.DatasetWithSourceAsync(steward);
        var earlier = await RequestsApi.SubmitAsync(researcherApi, datasetId);
        var requestId = await RequestsApi.SubmitAsync(researcherApi, datasetId);
        await RequestsApi.Json(await steward.PostAsync($"/decisions/{requestId}/accept-for-review", null), HttpStatusCode.OK);
        var members = new List<WebSession>();
        for (var i = 0; i < 3; i++) members.Add(await WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.CommitteeMember)));
        try
        {
            var queue = await members[0].GetAsync("/ui/committee");
            Assert.Contains($"/ui/requests/{requestId}", queue.Html);
            Assert.DoesNotContain($"/ui/requests/{earlier}", queue.Html);

            var conflicted = await members[2].GetAsync($"/ui/requests/{requestId}");
            Assert.Contains(researcher.Email, conflicted.Html);
            Assert.Contains($"/ui/requests/{earlier}", conflicted.Html);
            var recused = await members[2].PostAsync(conflicted, $"/ui/requests/{requestId}?handler=Conflict");
            Assert.Contains("you are recused", (await members[2].FollowAsync(recused)).Html);
            Assert.DoesNotContain($"/ui/requests/{requestId}", (await members[2].GetAsync("/ui/committee")).Html);

            var first = await members[0].GetAsync($"/ui/requests/{requestId}");
            var noReason = await members[0].PostAsync(first, $"/ui/requests/{requestId}?handler=Vote", ("Vote.Decision", "approve"), ("Vote.Reason", ""));
            Assert.Equal(HttpStatusCode.BadRequest, noReason.Status);
            Assert.Contains("Give a reason for the vote", noReason.TextOf("Vote_Reason-error"));
            await members[0].PostAsync(first, $"/ui/requests/{requestId}?handler=Vote", ("Vote.Decision", "approve"), ("Vote.Reason", "Proportionate"));

            var second = await members[1].GetAsync($"/ui/requests/{requestId}");
            Assert.Contains(members[0].User.Email, second.Html);
            Assert.Contains("approve: Proportionate", second.Html);
            Assert.Contains($"Recused: {members[2].User.Email}.", second.Html);
            var decided = await members[1].PostAsync(second, $"/ui/requests/{requestId}?handler=Vote", ("Vote.Decision", "approve"), ("Vote.Reason", "Justified"));
            var approved = await members[1].FollowAsync(decided);

            Assert.Contains("Your vote is recorded.", approved.Html);
            Assert.Contains("<span class=\"state\">Approved</span>", approved.Html);
            using var requester = await WebSession.SignInAsync(host, researcher);
            var asRequester = await requester.GetAsync($"/ui/requests/{requestId}");
            Assert.Contains("Access request approved", asRequester.Html);
            Assert.DoesNotContain(members[0].User.Email, asRequester.Html);
            Assert.Contains("<td>committee</td>", asRequester.Html);
        }
        finally
        {
            foreach (var member in members) member.Dispose();
        }
    }

    [Fact]
    public async Task Given_ApprovedRequest_When_ItsPageIsOpen_Then_ItShowsItsJobAndRefreshesAndTheCommitteeSeesTheBudgetLeft()
    {
        // This host runs no jobs: an approved request's job waits, so the page shows it waiting, every time.
        var review = await _api.InReviewAsync();
        var member = await host.CreateUserAsync(Roles.CommitteeMember);
        using var committee = await WebSession.SignInAsync(host, member);
        var before = await committee.GetAsync($"/ui/requests/{review.RequestId}");
        Assert.Contains("<dt>ε still available on the dataset</dt>", before.Html);
        Assert.Contains($"href=\"/ui/budget/{review.DatasetId}\">budget ledger</a>", before.Html);
        Assert.DoesNotContain("More than the dataset has left", before.Html);
        Assert.DoesNotContain("http-equiv=\"refresh\"", before.Html);

        await RequestsApi.Json(await RequestsApi.VoteAsync(review.Members[0], review.RequestId), HttpStatusCode.OK);
        await RequestsApi.Json(await RequestsApi.VoteAsync(review.Members[1], review.RequestId), HttpStatusCode.OK);
        using var researcher = await WebSession.SignInAsync(host, review.ResearcherUser);
        var approved = await researcher.GetAsync($"/ui/requests/{review.RequestId}");

        Assert.Contains("<h2 id=\"pipeline\">Release pipeline</h2>", approved.Html);
        Assert.Matches("Job: (waiting for a worker|about to be queued)", approved.Html);
        Assert.DoesNotContain("http-equiv=\"refresh\"", approved.Html); // only when asked: ?follow=on
        Assert.Contains("<meta http-equiv=\"refresh\" content=\"3\">", (await researcher.GetAsync($"/ui/requests/{review.RequestId}?follow=on")).Html);
        using var steward = await WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.DataSteward));
        var jobs = await steward.GetAsync("/ui/jobs");
        Assert.Contains($"href=\"/ui/requests/{review.RequestId}\"", jobs.Html);
        var ledger = await steward.GetAsync($"/ui/budget/{review.DatasetId}");
        Assert.Contains("reserved", ledger.Html);
        Assert.Contains("<svg class=\"chart\"", ledger.Html);
    }

    [Fact]
    public async Task Given_RequestOverTheBudgetLeft_When_TheCommitteeOpensIt_Then_ItIsFlagged()
    {
        var review = await _api.InReviewAsync();
        // Four other approvals on the dataset take every release its policy allows (maxReleases: 4): nothing is left.
        for (var i = 0; i < 4; i++)
        {
            var other = await RequestsApi.SubmitAsync(review.Researcher, review.DatasetId);
            await RequestsApi.Json(await review.Steward.PostAsync($"/decisions/{other}/accept-for-review", null), HttpStatusCode.OK);
            await RequestsApi.Json(await RequestsApi.VoteAsync(review.Members[0], other), HttpStatusCode.OK);
            await RequestsApi.Json(await RequestsApi.VoteAsync(review.Members[1], other), HttpStatusCode.OK);
        }
        using var committee = await WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.CommitteeMember));

        var page = await committee.GetAsync($"/ui/requests/{review.RequestId}");

        Assert.Contains("More than the dataset has left: an approval would be refused (<a href=\"/errors/RG3001\">RG3001</a>).", page.Html);
        Assert.Contains("<dt>ε still available on the dataset</dt>\n    <dd>\n      0\n", page.Html);
        // Approval is not offered where it would be refused; rejecting is, and the page says why.
        Assert.DoesNotContain("Vote_Decision_approve", page.Html);
        Assert.Contains("Vote_Decision_reject", page.Html);
        Assert.Contains("Approval is not offered", page.Html);
        await RequestsApi.Json(await RequestsApi.VoteAsync(review.Members[0], review.RequestId), HttpStatusCode.OK);
        await RequestsApi.Problem(await RequestsApi.VoteAsync(review.Members[1], review.RequestId), HttpStatusCode.Conflict, "RG3001");
    }

    [Fact]
    public async Task Given_Steward_When_RegisteringADatasetAndUploadingItsTable_Then_PreciseProblemsShowFirstAndTheTableIsStored()
    {
        using var steward = await WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.DataSteward));
        var name = "web-" + Guid.NewGuid().ToString("N")[..8];
        var form = await steward.GetAsync("/ui/datasets/register");
        (string, string)[] fields = [("Form.Name", name), ("Form.Description", "Test table"), ("Form.Owner", "Test hospital"), ("Form.Schema", "")];

        var badSchema = await steward.PostFilesAsync(form, "/ui/datasets/register", fields,
            ("SchemaFile", "schema.json", """{"columns": [{"name": "age", "type": "integer", "min": 10, "max": 5}]}"""));
        var badName = await steward.PostAsync(form, "/ui/datasets/register",
            ("Form.Name", "Not A Slug"), ("Form.Description", "Test table"), ("Form.Owner", "Test hospital"), ("Form.Schema", RequestsApi.Schema));

        Assert.Equal(HttpStatusCode.BadRequest, badSchema.Status);
        Assert.StartsWith("$.columns[0]", badSchema.TextOf("Form_Schema-error"));
        Assert.Equal(HttpStatusCode.BadRequest, badName.Status);
        Assert.Contains("lower-case letters", badName.TextOf("Form_Name-error"));

        var registered = await steward.PostFilesAsync(form, "/ui/datasets/register", fields, ("SchemaFile", "schema.json", RequestsApi.Schema));
        Assert.Equal(HttpStatusCode.Redirect, registered.Status);
        var dataset = await steward.FollowAsync(registered);
        Assert.Contains(name, dataset.Html);
        Assert.Contains("Upload the source table", dataset.Html);
        var datasetId = registered.Response.Headers.Location!.OriginalString.Split('/')[3];

        var upload = await steward.GetAsync($"/ui/datasets/{datasetId}/upload");
        var rejected = await steward.PostFilesAsync(upload, $"/ui/datasets/{datasetId}/upload", [],
            ("Table", "table.csv", "mrn,age,sex,outcome\n1,34,F,no\n2,171,X,yes\n"));
        Assert.Equal(HttpStatusCode.BadRequest, rejected.Status);
        Assert.Contains("nothing was stored", rejected.Html);
        Assert.Contains("<td>age</td>", rejected.Html);
        Assert.Contains("<td>sex</td>", rejected.Html);

        var stored = await steward.PostFilesAsync(upload, $"/ui/datasets/{datasetId}/upload", [], ("Table", "table.csv", RequestsApi.GoodCsv));
        Assert.Equal(HttpStatusCode.Redirect, stored.Status);
        Assert.Contains($"{RequestsApi.GoodCsvRows} rows", (await steward.FollowAsync(stored)).Html);
        Assert.Contains(name, (await steward.GetAsync("/ui/datasets")).Html);
    }

    private static string Key(WebPage form) =>
        System.Text.RegularExpressions.Regex.Match(form.Html, "name=\"SubmissionKey\" value=\"([^\"]+)\"|value=\"([^\"]+)\"[^>]*name=\"SubmissionKey\"") is { Success: true } m
            ? (m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value)
            : throw new InvalidOperationException("No submission key on the form.");
}
