using System.Net;
using System.Net.Http.Json;
using ReleaseGateway.EventStore.Verification;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.Problems;
using static ReleaseGateway.IntegrationTests.Requests.RequestsApi;

namespace ReleaseGateway.IntegrationTests.Requests;

public sealed class CommitteeTestsOnSqlite(SqliteGatewayHost host) : CommitteeTests<SqliteGatewayHost>(host);

public sealed class CommitteeTestsOnPostgres(PostgresGatewayHost host) : CommitteeTests<PostgresGatewayHost>(host);

/// <summary>Committees per dataset over HTTP with real tokens, on both backends (ADR 0047, docs/committees.md).</summary>
public abstract class CommitteeTests<THost>(THost host) : IClassFixture<THost> where THost : GatewayHost
{
    private readonly RequestsApi _api = new(host);

    private sealed record Seat(HttpClient Client, TestUser User);

    private sealed record Summary(Guid Id, Guid DatasetId, string Title, string State, long Version);

    private async Task<List<ReleaseGateway.EventStore.StoredEvent>> AllEventsAsync()
    {
        var all = new List<ReleaseGateway.EventStore.StoredEvent>();
        await foreach (var e in host.EventStore.ReadAllAsync()) all.Add(e);
        return all;
    }

    private async Task<(HttpClient Admin, Guid CommitteeId, string Name)> FormAsync(object? extra = null)
    {
        var (admin, _) = await _api.As(Roles.Administrator);
        var name = "dac-" + Guid.NewGuid().ToString("N")[..8];
        var body = new Dictionary<string, object?> { ["name"] = name, ["description"] = "Oncology data-access committee" };
        if (extra is not null) foreach (var p in extra.GetType().GetProperties()) body[p.Name] = p.GetValue(extra);
        var formed = await Json(await admin.PostAsJsonAsync("/committees", body), HttpStatusCode.Created);
        return (admin, Guid.Parse((string)formed["id"]!), name);
    }

    private static Task<HttpResponseMessage> AddAsync(HttpClient manager, Guid committee, Guid member, bool chair = false) =>
        manager.PostAsJsonAsync($"/committees/{committee}/members", new { memberId = member.ToString(), chair });

    private async Task<Seat> MemberAsync() { var (c, u) = await _api.As(Roles.CommitteeMember); return new Seat(c, u); }

    /// <summary>A committee of two members deciding a fresh dataset with its source, and a request on it in review.</summary>
    private async Task<(Guid CommitteeId, HttpClient Admin, Seat[] Members, Guid RequestId, HttpClient Steward)> InReviewBeforeCommitteeAsync()
    {
        var (admin, committee, name) = await FormAsync();
        var members = new[] { await MemberAsync(), await MemberAsync() };
        foreach (var m in members) await Json(await AddAsync(admin, committee, m.User.Id), HttpStatusCode.OK);
        var (steward, _) = await _api.As(Roles.DataSteward);
        var registered = await Json(await steward.PostAsJsonAsync("/datasets", new
        {
            name = "ds-" + Guid.NewGuid().ToString("N")[..10], description = "Oncology table", owner = "Cancer centre",
            schema = System.Text.Json.Nodes.JsonNode.Parse(Schema), committee = name,
        }), HttpStatusCode.Created);
        Assert.Equal(committee.ToString(), (string?)registered["committeeId"]);
        var datasetId = Guid.Parse((string)registered["id"]!);
        await Json(await UploadAsync(steward, datasetId, GoodCsv), HttpStatusCode.OK);
        var (researcher, _) = await _api.As(Roles.Researcher);
        var requestId = await SubmitAsync(researcher, datasetId);
        await Json(await steward.PostAsync($"/decisions/{requestId}/accept-for-review", null), HttpStatusCode.OK);
        return (committee, admin, members, requestId, steward);
    }

    [Fact]
    public async Task Given_DatasetWithItsOwnCommittee_When_ItsMembersVote_Then_ApprovedAndMembersOfNoCommitteeSeeNothing()
    {
        var (committee, _, members, requestId, _) = await InReviewBeforeCommitteeAsync();
        var outsider = await MemberAsync();

        // A holder of the CommitteeMember role who sits on no committee deciding this dataset: no queue entry, 404 on every verb.
        Assert.DoesNotContain((await outsider.Client.GetFromJsonAsync<List<Summary>>("/decisions/awaiting"))!, s => s.Id == requestId);
        await Problem(await outsider.Client.GetAsync($"/requests/{requestId}"), HttpStatusCode.NotFound, ErrorCodes.RequestNotFound);
        await Problem(await VoteAsync(outsider.Client, requestId), HttpStatusCode.NotFound, ErrorCodes.RequestNotFound);
        await Problem(await outsider.Client.GetAsync($"/requests/{requestId}/pipeline"), HttpStatusCode.NotFound, ErrorCodes.RequestNotFound);

        Assert.Contains((await members[0].Client.GetFromJsonAsync<List<Summary>>("/decisions/awaiting"))!, s => s.Id == requestId);
        await Json(await VoteAsync(members[0].Client, requestId), HttpStatusCode.OK);
        var approved = await Json(await VoteAsync(members[1].Client, requestId), HttpStatusCode.OK);
        Assert.Equal("Approved", (string?)approved["state"]);
        Assert.Equal(committee.ToString(), (string?)approved["committeeId"]);

        var types = await _api.EventTypesAsync(committee);
        Assert.Equal(["CommitteeFormed", "CommitteeMemberAdded", "CommitteeMemberAdded"], types);
        var audit = await ChainVerifier.VerifyStoreAsync(host.EventStore);
        Assert.True(audit.Intact, audit.Reason);
    }

    [Fact]
    public async Task Given_MemberRemoved_When_TheyOpenTheRequest_Then_404AndTheRemovalIsAnEvent()
    {
        var (committee, admin, members, requestId, _) = await InReviewBeforeCommitteeAsync();
        var third = await MemberAsync();
        await Json(await AddAsync(admin, committee, third.User.Id), HttpStatusCode.OK);
        await Json(await third.Client.GetAsync($"/requests/{requestId}"), HttpStatusCode.OK);

        var removed = await Json(await admin.DeleteAsync($"/committees/{committee}/members/{third.User.Id}"), HttpStatusCode.OK);
        Assert.Equal(2, (int)removed["memberCount"]!);
        await Problem(await third.Client.GetAsync($"/requests/{requestId}"), HttpStatusCode.NotFound, ErrorCodes.RequestNotFound);
        Assert.Equal("CommitteeMemberRemoved", (await _api.EventTypesAsync(committee))[^1]);

        // Two members left, the workflow needs two approvals: the next removal is refused, nothing appended.
        var before = (await _api.EventTypesAsync(committee)).Count;
        await Problem(await admin.DeleteAsync($"/committees/{committee}/members/{members[0].User.Id}"), HttpStatusCode.Conflict,
            ErrorCodes.CommitteeCannotDecide);
        Assert.Equal(before, (await _api.EventTypesAsync(committee)).Count);
    }

    [Fact]
    public async Task Given_ChairAndAdministrator_When_TheyChangeSeats_Then_OnlyOthersSeatsAndOnlyTheirsToChange()
    {
        var (admin, committee, _) = await FormAsync();
        var chair = await MemberAsync();
        var (stranger, _) = await _api.As(Roles.CommitteeMember);
        var newcomer = await MemberAsync();
        var adminUser = (await host.CreateClientForRoleAsync(Roles.Administrator)).User;

        await Json(await AddAsync(admin, committee, chair.User.Id, chair: true), HttpStatusCode.OK);
        await Json(await AddAsync(chair.Client, committee, newcomer.User.Id), HttpStatusCode.OK);
        var before = (await _api.EventTypesAsync(committee)).Count;
        await Problem(await AddAsync(chair.Client, committee, chair.User.Id, chair: false), HttpStatusCode.Forbidden, ErrorCodes.OwnCommitteeMembership);
        await Problem(await AddAsync(stranger, committee, adminUser.Id), HttpStatusCode.Forbidden, ErrorCodes.NotCommitteeManager);
        await Problem(await AddAsync(admin, committee, newcomer.User.Id), HttpStatusCode.Conflict, ErrorCodes.CommitteeMembershipUnchanged);
        await Problem(await admin.PostAsJsonAsync($"/committees/{committee}/members", new { memberId = "someone" }), HttpStatusCode.BadRequest,
            ErrorCodes.InvalidCommand);
        Assert.Equal(before, (await _api.EventTypesAsync(committee)).Count);
        // Each refusal is on the record beside the committee's stream.
        var refused = (await AllEventsAsync()).Where(e => e.EventType == "CommandRefused").Select(e => e.Data)
            .OfType<ReleaseGateway.EventStore.Audit.CommandRefused>().Count(r => r.StreamId == committee);
        Assert.Equal(4, refused);
    }

    [Fact]
    public async Task Given_BadOrUnauthorisedCommittees_When_Formed_Then_RefusedWithNothingStored()
    {
        var (admin, _, name) = await FormAsync();
        var (member, _) = await _api.As(Roles.CommitteeMember);
        var count = (await AllEventsAsync()).Count;
        await Problem(await admin.PostAsJsonAsync("/committees", new { name, description = "again" }), HttpStatusCode.Conflict, ErrorCodes.CommitteeNameTaken);
        await Problem(await admin.PostAsJsonAsync("/committees", new { name = "Bad Name", description = "x" }), HttpStatusCode.BadRequest, ErrorCodes.InvalidCommand);
        await Problem(await admin.PostAsJsonAsync("/committees", new { name = "q-" + Guid.NewGuid().ToString("N")[..6], description = "x", approvals = 2, majority = true }),
            HttpStatusCode.BadRequest, ErrorCodes.InvalidCommand);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.PostAsJsonAsync("/committees", new { name = "mine", description = "x" })).StatusCode);
        Assert.Equal(count, (await AllEventsAsync()).Count);
    }

    [Fact]
    public async Task Given_CommitteeWithTooFewMembers_When_ARequestIsSubmitted_Then_409AndNothingStored()
    {
        var (_, committee, name) = await FormAsync();
        var (steward, _) = await _api.As(Roles.DataSteward);
        var datasetId = await _api.DatasetWithSourceAsync(steward);
        var assigned = await Json(await steward.PutAsJsonAsync($"/datasets/{datasetId}/committee", new { committee = name }), HttpStatusCode.OK);
        Assert.Equal(committee.ToString(), (string?)assigned["committeeId"]);
        var (researcher, _) = await _api.As(Roles.Researcher);
        await Problem(await researcher.PostAsJsonAsync("/requests", Terms(datasetId)), HttpStatusCode.Conflict, ErrorCodes.CommitteeCannotDecide);
        Assert.Empty(await researcher.GetFromJsonAsync<List<Summary>>("/requests/mine") ?? []);
        // A committee the steward names must exist; another steward may not rename it.
        await Problem(await steward.PutAsJsonAsync($"/datasets/{datasetId}/committee", new { committee = "no-such-committee" }), HttpStatusCode.NotFound,
            ErrorCodes.CommitteeNotFound);
        var (otherSteward, _) = await _api.As(Roles.DataSteward);
        await Problem(await otherSteward.PutAsJsonAsync($"/datasets/{datasetId}/committee", new { committee = "default" }), HttpStatusCode.Forbidden,
            ErrorCodes.NotDatasetSteward);
    }

    [Fact]
    public async Task Given_CommitteeWithItsOwnQuorumOfOne_When_OneMemberApproves_Then_Approved()
    {
        var (admin, committee, name) = await FormAsync(new { approvals = 1, rejections = 1 });
        var member = await MemberAsync();
        await Json(await AddAsync(admin, committee, member.User.Id), HttpStatusCode.OK);
        var view = await Json(await member.Client.GetAsync($"/committees/{name}"), HttpStatusCode.OK);
        Assert.Equal("1 approvals, 1 rejection(s)", (string?)view["quorum"]);
        Assert.Single(view["members"]!.AsArray());
        var (researcherView, _) = await _api.As(Roles.Researcher);
        Assert.Null((await Json(await researcherView.GetAsync($"/committees/{committee}"), HttpStatusCode.OK))["members"]);

        var (steward, _) = await _api.As(Roles.DataSteward);
        var datasetId = await _api.DatasetWithSourceAsync(steward);
        await Json(await steward.PutAsJsonAsync($"/datasets/{datasetId}/committee", new { committee = name }), HttpStatusCode.OK);
        var (researcher, _) = await _api.As(Roles.Researcher);
        var requestId = await SubmitAsync(researcher, datasetId);
        await Json(await steward.PostAsync($"/decisions/{requestId}/accept-for-review", null), HttpStatusCode.OK);
        Assert.Equal("Approved", (string?)(await Json(await VoteAsync(member.Client, requestId), HttpStatusCode.OK))["state"]);
    }

    [Fact]
    public async Task Given_SecondDatasetWithItsOwnCommitteeAndConsent_When_UsesAreStated_Then_TheIncompatibleIsRefusedAndTheCommitteeSeesTheCheck()
    {
        var (admin, committee, name) = await FormAsync();
        var members = new[] { await MemberAsync(), await MemberAsync() };
        foreach (var m in members) await Json(await AddAsync(admin, committee, m.User.Id), HttpStatusCode.OK);
        var (steward, _) = await _api.As(Roles.DataSteward);
        const string diabetes = "MONDO:0005015";
        var registered = await Json(await steward.PostAsJsonAsync("/datasets", new
        {
            name = "ds-" + Guid.NewGuid().ToString("N")[..10], description = "Diabetes registry", owner = "Diabetes centre",
            schema = System.Text.Json.Nodes.JsonNode.Parse(Schema), committee = name,
            consent = new object[] { new { code = "DS", diseases = new[] { diabetes } }, new { code = "NCU" }, new { code = "IRB" } },
        }), HttpStatusCode.Created);
        var datasetId = Guid.Parse((string)registered["id"]!);
        Assert.Equal(3, registered["consent"]!.AsArray().Count);
        await Json(await UploadAsync(steward, datasetId, GoodCsv), HttpStatusCode.OK);
        var (researcher, _) = await _api.As(Roles.Researcher);

        Task<HttpResponseMessage> SubmitWith(object? use) => researcher.PostAsJsonAsync("/requests", new
        {
            datasetId, title = "Diabetes outcomes", purpose = "Model outcomes", justification = "Risk model", intendedUse = "Internal research",
            columns = new[] { "age", "sex", "outcome" }, epsilon = 1.0, rows = 1000, generator = (string?)null, accessDays = 30, use,
        });
        var before = (await AllEventsAsync()).Count(e => e.EventType != "CommandRefused");
        await Problem(await SubmitWith(null), HttpStatusCode.BadRequest, ErrorCodes.InvalidCommand);
        var refused = await Problem(await SubmitWith(new { purpose = "DS", diseases = new[] { "MONDO:0004992" }, commercial = true, ethicsApproval = true }),
            HttpStatusCode.UnprocessableEntity, ErrorCodes.ConsentIncompatible);
        Assert.Contains("MONDO:0004992", (string?)refused["detail"]);
        Assert.Contains("NCU", (string?)refused["detail"]);
        Assert.Equal(before, (await AllEventsAsync()).Count(e => e.EventType != "CommandRefused"));

        var created = await Json(await SubmitWith(new { purpose = "DS", diseases = new[] { diabetes }, ethicsApproval = true }), HttpStatusCode.Created);
        var requestId = Guid.Parse((string)created["id"]!);
        await Json(await steward.PostAsync($"/decisions/{requestId}/accept-for-review", null), HttpStatusCode.OK);
        var seen = await Json(await members[0].Client.GetAsync($"/requests/{requestId}"), HttpStatusCode.OK);
        Assert.True((bool)seen["consent"]!["compatible"]!);
        Assert.Equal(["DS", "NCU", "IRB"], seen["consent"]!["lines"]!.AsArray().Select(l => (string)l!["code"]!).ToArray());

        // The committee's page shows the check; a member of no committee deciding it gets the page's 404 and an empty queue.
        using (var web = await ReleaseGateway.IntegrationTests.Web.WebSession.SignInAsync(host, members[0].User))
        {
            var page = await web.GetAsync($"/ui/requests/{requestId}");
            Assert.Equal(HttpStatusCode.OK, page.Status);
            Assert.Contains("Consent (GA4GH DUO)", page.Html);
            Assert.Contains("DUO:0000007", page.Html);
            Assert.Contains(requestId.ToString(), (await web.GetAsync("/ui/committee")).Html);
        }
        var outsider = await MemberAsync();
        using (var web = await ReleaseGateway.IntegrationTests.Web.WebSession.SignInAsync(host, outsider.User))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await web.GetAsync($"/ui/requests/{requestId}")).Status);
            Assert.DoesNotContain(requestId.ToString(), (await web.GetAsync("/ui/committee")).Html);
        }

        await Json(await VoteAsync(members[0].Client, requestId), HttpStatusCode.OK);
        Assert.Equal("Approved", (string?)(await Json(await VoteAsync(members[1].Client, requestId), HttpStatusCode.OK))["state"]);
    }
}
