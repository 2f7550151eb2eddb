using System.Net;
using System.Net.Http.Json;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Problems;
using ReleaseGateway.EventStore.Verification;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.Requests.Datasets.UploadSourceTable;
using Microsoft.Extensions.DependencyInjection;
using static ReleaseGateway.IntegrationTests.Requests.RequestsApi;

namespace ReleaseGateway.IntegrationTests.Requests;

public sealed class CommitteeDecisionTestsOnSqlite(SqliteGatewayHost host) : CommitteeDecisionTests<SqliteGatewayHost>(host);

public sealed class CommitteeDecisionTestsOnPostgres(PostgresGatewayHost host) : CommitteeDecisionTests<PostgresGatewayHost>(host);

/// <summary>Datasets, requests and committee decisions over HTTP with real tokens, on both backends.</summary>
public abstract class CommitteeDecisionTests<THost>(THost host) : IClassFixture<THost> where THost : GatewayHost
{
    private readonly RequestsApi _api = new(host);

    [Fact]
    public async Task Given_RequestInReview_When_TwoMembersApprove_Then_ItIsApprovedAndTheTimelineShowsEveryStep()
    {
        var r = await _api.InReviewAsync();
        var first = await Json(await VoteAsync(r.Members[0], r.RequestId), HttpStatusCode.OK);
        Assert.Equal("CommitteeReview", (string?)first["state"]);
        var second = await Json(await VoteAsync(r.Members[1], r.RequestId), HttpStatusCode.OK);
        Assert.Equal("Approved", (string?)second["state"]);

        var details = await Json(await r.Researcher.GetAsync($"/requests/{r.RequestId}"), HttpStatusCode.OK);
        var timeline = details["timeline"]!.AsArray();
        Assert.Equal(["AccessRequestSubmitted", "AccessRequestAcceptedForReview", "CommitteeVoteCast", "CommitteeVoteCast", "AccessRequestApproved"],
            timeline.Select(e => (string)e!["event"]!).ToArray());
        // The researcher sees the decisions and their reasons, not which member voted how.
        Assert.Equal(["committee", "committee", "committee"], timeline.Skip(2).Select(e => (string)e!["by"]!).ToArray());
        Assert.Contains("approve: Proportionate and justified", timeline.Skip(2).Select(e => (string?)e!["detail"]));
        var asMember = await Json(await r.Members[2].GetAsync($"/requests/{r.RequestId}"), HttpStatusCode.OK);
        Assert.DoesNotContain("committee", asMember["timeline"]!.AsArray().Select(e => (string)e!["by"]!));
        var mine = await r.Researcher.GetFromJsonAsync<List<Summary>>("/requests/mine");
        Assert.Equal("Approved", Assert.Single(mine!).State);
        var audit = await ChainVerifier.VerifyStoreAsync(host.EventStore);
        Assert.True(audit.Intact, audit.Reason);
    }

    [Fact]
    public async Task Given_OneApprovalCast_When_TwoMoreApprovalsRace_Then_TheRequestIsApprovedExactlyOnce()
    {
        var r = await _api.InReviewAsync();
        await Json(await VoteAsync(r.Members[0], r.RequestId), HttpStatusCode.OK);

        var racing = await Task.WhenAll(VoteAsync(r.Members[1], r.RequestId), VoteAsync(r.Members[2], r.RequestId));

        // One vote reaches the quorum; the other, decided again on the approved request, is refused with the state.
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], racing.Select(x => x.StatusCode).Order().ToArray());
        var refused = racing.Single(x => x.StatusCode == HttpStatusCode.Conflict);
        Assert.Equal("Approved", (string?)(await Problem(refused, HttpStatusCode.Conflict, "RG2001"))["currentState"]);
        var types = await _api.EventTypesAsync(r.RequestId);
        Assert.Equal(1, types.Count(t => t == "AccessRequestApproved"));
        Assert.Equal(2, types.Count(t => t == "CommitteeVoteCast"));
    }

    [Fact]
    public async Task Given_NoVotes_When_TwoFirstVotesRace_Then_BothCountAndNeitherApprovesAlone()
    {
        var r = await _api.InReviewAsync();
        var racing = await Task.WhenAll(VoteAsync(r.Members[0], r.RequestId), VoteAsync(r.Members[1], r.RequestId));
        Assert.All(racing, x => Assert.Equal(HttpStatusCode.OK, x.StatusCode));
        var types = await _api.EventTypesAsync(r.RequestId);
        Assert.Equal((2, 1), (types.Count(t => t == "CommitteeVoteCast"), types.Count(t => t == "AccessRequestApproved")));
    }

    [Fact]
    public async Task Given_MemberWhoVoted_When_VotingAgain_Then_RefusedAndNothingIsAppended()
    {
        var r = await _api.InReviewAsync();
        await Json(await VoteAsync(r.Members[0], r.RequestId), HttpStatusCode.OK);
        var before = (await _api.EventTypesAsync(r.RequestId)).Count;
        await Problem(await VoteAsync(r.Members[0], r.RequestId), HttpStatusCode.Conflict, ErrorCodes.AlreadyVoted);
        Assert.Equal(before, (await _api.EventTypesAsync(r.RequestId)).Count);
    }

    [Fact]
    public async Task Given_RequesterOnTheCommittee_When_VotingOnTheirOwnRequest_Then_Refused()
    {
        var (steward, _) = await _api.As(Roles.DataSteward);
        var (researcherMember, _) = await host.CreateClientForRoleAsync(Roles.Researcher, Roles.CommitteeMember);
        var requestId = await SubmitAsync(researcherMember, await _api.DatasetWithSourceAsync(steward));
        await Json(await steward.PostAsync($"/decisions/{requestId}/accept-for-review", null), HttpStatusCode.OK);
        await Problem(await VoteAsync(researcherMember, requestId), HttpStatusCode.Forbidden, ErrorCodes.RequesterCannotDecide);
        var awaiting = await researcherMember.GetFromJsonAsync<List<Summary>>("/decisions/awaiting");
        Assert.DoesNotContain(awaiting!, s => s.Id == requestId);
    }

    [Fact]
    public async Task Given_RecusedMember_When_Voting_Then_RefusedAndTheRequestLeavesTheirQueue()
    {
        var r = await _api.InReviewAsync();
        Assert.Contains((await r.Members[0].GetFromJsonAsync<List<Summary>>("/decisions/awaiting"))!, s => s.Id == r.RequestId);
        await Json(await r.Members[0].PostAsync($"/decisions/{r.RequestId}/conflicts", null), HttpStatusCode.OK);
        await Problem(await VoteAsync(r.Members[0], r.RequestId), HttpStatusCode.Forbidden, ErrorCodes.Recused);
        Assert.DoesNotContain((await r.Members[0].GetFromJsonAsync<List<Summary>>("/decisions/awaiting"))!, s => s.Id == r.RequestId);
    }

    [Fact]
    public async Task Given_WithdrawnRequest_When_Approved_Then_409WithTheCurrentState()
    {
        var r = await _api.InReviewAsync();
        var withdrawn = await Json(await r.Researcher.PostAsync($"/requests/{r.RequestId}/withdraw", null), HttpStatusCode.OK);
        Assert.Equal("Withdrawn", (string?)withdrawn["state"]);
        var before = (await _api.EventTypesAsync(r.RequestId)).Count;
        var problem = await Problem(await VoteAsync(r.Members[0], r.RequestId), HttpStatusCode.Conflict, "RG2001");
        Assert.Equal("Withdrawn", (string?)problem["currentState"]);
        Assert.Equal(before, (await _api.EventTypesAsync(r.RequestId)).Count);
    }

    [Fact]
    public async Task Given_RequestInReview_When_AnyMemberRejects_Then_ItIsRejected()
    {
        var r = await _api.InReviewAsync();
        await Json(await VoteAsync(r.Members[0], r.RequestId), HttpStatusCode.OK);
        var rejected = await Json(await VoteAsync(r.Members[1], r.RequestId, "reject"), HttpStatusCode.OK);
        Assert.Equal("Rejected", (string?)rejected["state"]);
    }

    [Fact]
    public async Task Given_StaleIfMatch_When_Voting_Then_RefusedAndNothingIsAppended()
    {
        var r = await _api.InReviewAsync();
        using var vote = new HttpRequestMessage(HttpMethod.Post, $"/decisions/{r.RequestId}/votes")
        {
            Content = JsonContent.Create(new { decision = "approve", reason = "ok" }),
        };
        vote.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"1\""));
        await Problem(await r.Members[0].SendAsync(vote), HttpStatusCode.Conflict, "RG2010");
        Assert.Equal(2, (await _api.EventTypesAsync(r.RequestId)).Count);
    }

    [Fact]
    public async Task Given_IdempotencyKey_When_SubmittedAgain_Then_OneRequestExistsAndADifferentBodyIsRefused()
    {
        var (steward, _) = await _api.As(Roles.DataSteward);
        var (researcher, _) = await _api.As(Roles.Researcher);
        var datasetId = await _api.DatasetWithSourceAsync(steward);
        HttpRequestMessage Submit(double epsilon)
        {
            var m = new HttpRequestMessage(HttpMethod.Post, "/requests") { Content = JsonContent.Create(Terms(datasetId, epsilon)) };
            m.Headers.Add("Idempotency-Key", "key-1");
            return m;
        }
        var first = await Json(await researcher.SendAsync(Submit(1.0)), HttpStatusCode.Created);
        var again = await Json(await researcher.SendAsync(Submit(1.0)), HttpStatusCode.OK);
        Assert.Equal((string?)first["id"], (string?)again["id"]);
        await Problem(await researcher.SendAsync(Submit(0.5)), (HttpStatusCode)422, "RG2011");
        Assert.Single((await researcher.GetFromJsonAsync<List<Summary>>("/requests/mine"))!);
    }

    [Fact]
    public async Task Given_EpsilonAboveThePolicy_When_Submitted_Then_RefusedNamingTheField()
    {
        var (steward, _) = await _api.As(Roles.DataSteward);
        var (researcher, _) = await _api.As(Roles.Researcher);
        var datasetId = await _api.DatasetWithSourceAsync(steward);
        var problem = await Problem(await researcher.PostAsJsonAsync("/requests", Terms(datasetId, epsilon: 50)), HttpStatusCode.BadRequest, "RG2009");
        Assert.NotNull(problem["errors"]!["Epsilon"]);
    }

    [Fact]
    public async Task Given_MalformedUpload_When_Sent_Then_RejectedWithRowAndColumnAndNothingIsStored()
    {
        var (steward, _) = await _api.As(Roles.DataSteward);
        var registered = await Json(await RegisterAsync(steward, "bad-" + Guid.NewGuid().ToString("N")[..10]), HttpStatusCode.Created);
        var id = Guid.Parse((string)registered["id"]!);
        var csv = "mrn,age,sex,outcome\n1,34,F,no\n2,200,M,yes\n3,55,X,yes\n4,40,F\n";

        var problem = await Problem(await UploadAsync(steward, id, csv), HttpStatusCode.BadRequest, "RG2013");

        var problems = problem["problems"]!.AsArray();
        Assert.Contains(problems, p => (long)p!["row"]! == 3 && (string?)p["column"] == "age");
        Assert.Contains(problems, p => (long)p!["row"]! == 4 && (string?)p["column"] == "sex");
        Assert.Contains(problems, p => (long)p!["row"]! == 5);
        var store = host.Services.GetRequiredService<SourceTableStore>();
        Assert.False(store.Exists(id));
        // Other tests of this host store good tables; this upload left neither its file nor a temporary one.
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(host.DataDirectory, "sources", ".incoming")));
        Assert.Equal(["DatasetRegistered"], await _api.EventTypesAsync(id));
    }

    [Fact]
    public async Task Given_ValidUpload_When_Accepted_Then_ItIsStoredEncryptedAndNeverInPlainText()
    {
        var (steward, _) = await _api.As(Roles.DataSteward);
        var id = await _api.DatasetWithSourceAsync(steward);
        var store = host.Services.GetRequiredService<SourceTableStore>();
        var onDisk = await File.ReadAllBytesAsync(store.PathOf(id));
        Assert.DoesNotContain("mrn,age", System.Text.Encoding.UTF8.GetString(onDisk));
        using var plain = new StreamReader(store.OpenRead(id));
        Assert.Equal(GoodCsv, await plain.ReadToEndAsync());
        var dataset = await Json(await steward.GetAsync($"/datasets/{id}"), HttpStatusCode.OK);
        Assert.Equal(GoodCsvRows, (long)dataset["dataset"]!["sourceRows"]!);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await steward.GetAsync($"/datasets/{id}/source")).StatusCode);
    }

    [Fact]
    public async Task Given_SharedTableWithTheDomainShorthand_When_RegisteredAndUploaded_Then_BothSucceed()
    {
        var (steward, _) = await _api.As(Roles.DataSteward);
        var schema = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Testing.RepositoryPaths.SharedData, "pima-domain.json")));
        var registered = await Json(await steward.PostAsJsonAsync("/datasets",
            new { name = "pima-" + Guid.NewGuid().ToString("N")[..8], description = "Pima diabetes (integer-coded)", owner = "Shared data", schema }), HttpStatusCode.Created);
        var id = Guid.Parse((string)registered["id"]!);
        var csv = await File.ReadAllTextAsync(Path.Combine(Testing.RepositoryPaths.SharedData, "pima-disc.csv"));
        var uploaded = await Json(await UploadAsync(steward, id, csv), HttpStatusCode.OK);
        Assert.Equal(768, (long)uploaded["sourceRows"]!);
    }

    [Fact]
    public async Task Given_TamperedSourceFile_When_Read_Then_TheTamperingIsDetected()
    {
        var (steward, _) = await _api.As(Roles.DataSteward);
        var id = await _api.DatasetWithSourceAsync(steward);
        var store = host.Services.GetRequiredService<SourceTableStore>();
        var bytes = await File.ReadAllBytesAsync(store.PathOf(id));
        bytes[^20] ^= 1;
        await File.WriteAllBytesAsync(store.PathOf(id), bytes);
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => new StreamReader(store.OpenRead(id)).ReadToEnd());
    }

    [Fact]
    public async Task Given_Researcher_When_RegisteringADatasetOrReadingOthersRequests_Then_Refused()
    {
        var (researcher, _) = await _api.As(Roles.Researcher);
        Assert.Equal(HttpStatusCode.Forbidden, (await RegisterAsync(researcher, "nope")).StatusCode);
        var r = await _api.InReviewAsync();
        await Problem(await researcher.GetAsync($"/requests/{r.RequestId}"), HttpStatusCode.NotFound, "RG2007");
    }

    private sealed record Summary(Guid Id, Guid DatasetId, string Title, string State, long Version);
}
