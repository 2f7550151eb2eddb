using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ReleaseGateway.EventStore;
using ReleaseGateway.EventStore.Audit;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Identity.Users;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.Problems;
using ReleaseGateway.Requests;
using ReleaseGateway.Requests.AccessRequests.AdvanceAccessRequest;
using ReleaseGateway.Requests.Datasets.UploadSourceTable;
using ReleaseGateway.Requests.Workflows;
using ReleaseGateway.Testing;
using static ReleaseGateway.IntegrationTests.Requests.RequestsApi;

namespace ReleaseGateway.IntegrationTests.Requests;

/// <summary>
/// The gateway with the repository's policies plus two-key datasets of its own (a dataset's policy is chosen by its name);
/// the pipeline's jobs stay off, and tests take a request through the pipeline's steps in-process, as the jobs would.
/// </summary>
public static class SecurityPolicies
{
    public const string TwoKeyVoter = "twokey-voter";
    public const string TwoKeyGranted = "twokey-granted";

    public static void Apply(IDictionary<string, string?> settings)
    {
        var directory = Path.Combine(Path.GetTempPath(), "rgw-policies-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        File.Copy(Path.Combine(RepositoryPaths.Root, "policies", "default.yaml"), Path.Combine(directory, "default.yaml"));
        foreach (var name in new[] { TwoKeyVoter, TwoKeyGranted }) File.WriteAllText(Path.Combine(directory, name + ".yaml"), "workflow: two-key\n");
        settings["ReleaseGateway:PoliciesDirectory"] = directory;
    }
}

public sealed class SecuritySqliteHost : SqliteGatewayHost
{
    protected override void Configure(IDictionary<string, string?> settings) => SecurityPolicies.Apply(settings);
}

public sealed class SecurityPostgresHost : PostgresGatewayHost
{
    protected override void Configure(IDictionary<string, string?> settings) => SecurityPolicies.Apply(settings);
}

public sealed class SecurityRegressionTestsOnSqlite(SecuritySqliteHost host) : SecurityRegressionTests<SecuritySqliteHost>(host);

public sealed class SecurityRegressionTestsOnPostgres(SecurityPostgresHost host) : SecurityRegressionTests<SecurityPostgresHost>(host);

/// <summary>Issue 15 (rows 1, 5, 6, 7, 10, 12): what an attacker found, over HTTP with real tokens, on both backends.</summary>
public abstract class SecurityRegressionTests<THost>(THost host) : IClassFixture<THost> where THost : GatewayHost
{
    private readonly RequestsApi _api = new(host);

    private sealed record Summary(Guid Id, Guid DatasetId, string Title, string State, long Version);

    private static readonly Actor Pipeline = Actor.Of("release-pipeline", WorkflowRoles.System);

    /// <summary>The release pipeline's steps, fired in-process as its jobs fire them.</summary>
    private async Task AdvanceAsync(Guid requestId, params string[] triggers)
    {
        foreach (var trigger in triggers)
            await AdvanceAccessRequestHandler.HandleAsync(host.EventStore, host.Services.GetRequiredService<WorkflowCatalog>(),
                new AdvanceAccessRequest(requestId, trigger, "test pipeline", Pipeline, DateTimeOffset.UtcNow), EventMetadata.System("test-pipeline"));
    }

    private async Task<IReadOnlyList<CommandRefused>> RefusalsOfAsync(Guid streamId) =>
        (await host.EventStore.QueryEventsAsync(new EventQuery { EventTypes = [nameof(CommandRefused)], Limit = EventQuery.MaxLimit }))
        .Events.Select(e => e.Data).OfType<CommandRefused>().Where(r => r.StreamId == streamId).ToList();

    /// <summary>A two-key request approved by <paramref name="voters"/> and taken by the pipeline to the compliance sign-off.</summary>
    private async Task<(Guid RequestId, HttpClient Officer)> AwaitingSignOffAsync(string datasetName, params HttpClient[] voters)
    {
        var (steward, _) = await _api.As(Roles.DataSteward);
        var (researcher, _) = await _api.As(Roles.Researcher);
        var registered = await Json(await RegisterAsync(steward, datasetName), HttpStatusCode.Created);
        var datasetId = Guid.Parse((string)registered["id"]!);
        await Json(await UploadAsync(steward, datasetId, GoodCsv), HttpStatusCode.OK);
        var requestId = await SubmitAsync(researcher, datasetId);
        await Json(await steward.PostAsync($"/decisions/{requestId}/accept-for-review", null), HttpStatusCode.OK);
        foreach (var voter in voters) await Json(await VoteAsync(voter, requestId), HttpStatusCode.OK);
        await AdvanceAsync(requestId, WorkflowTriggers.StartGeneration, WorkflowTriggers.CompleteGeneration, WorkflowTriggers.PassGates);
        var (officer, _) = await _api.As(Roles.ComplianceOfficer);
        return (requestId, officer);
    }

    private static Task<HttpResponseMessage> SignOffAsync(HttpClient officer, Guid requestId) =>
        officer.PostAsJsonAsync($"/decisions/{requestId}/sign-off", new { approve = true, reason = "Report reviewed" });

    [Fact]
    public async Task Bug_CommitteeMemberWhoVotedApprove_CannotGiveTheComplianceSignOff()
    {
        var (memberAndOfficer, _) = await host.CreateClientForRoleAsync(Roles.CommitteeMember, Roles.ComplianceOfficer);
        var (member, _) = await _api.As(Roles.CommitteeMember);
        var (requestId, officer) = await AwaitingSignOffAsync(SecurityPolicies.TwoKeyVoter, memberAndOfficer, member);
        var before = await _api.EventTypesAsync(requestId);

        var refused = await Problem(await SignOffAsync(memberAndOfficer, requestId), HttpStatusCode.Forbidden, ErrorCodes.TwoKeysNeedTwoPeople);

        Assert.Equal("AwaitingSignOff", (string?)refused["currentState"]);
        Assert.Equal(before, await _api.EventTypesAsync(requestId));
        var recorded = Assert.Single(await RefusalsOfAsync(requestId));
        Assert.Equal(("sign-off", ErrorCodes.TwoKeysNeedTwoPeople), (recorded.Command, recorded.Code));
        Assert.Equal("ReadyForRelease", (string?)(await Json(await SignOffAsync(officer, requestId), HttpStatusCode.OK))["state"]);
    }

    [Fact]
    public async Task Bug_ComplianceOfficerRoleGrantedAfterTheVote_CannotSignOff()
    {
        var (voter, voterUser) = await _api.As(Roles.CommitteeMember);
        var (member, _) = await _api.As(Roles.CommitteeMember);
        var (requestId, _) = await AwaitingSignOffAsync(SecurityPolicies.TwoKeyGranted, voter, member);
        await using (var scope = host.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<UserAdministration>()
                .GrantRoleAsync(voterUser.Email, Roles.ComplianceOfficer, EventMetadata.System("test-setup"));
        var nowAnOfficer = host.CreateClient((await host.SignInAsync(voterUser with { Roles = [Roles.CommitteeMember, Roles.ComplianceOfficer] })).AccessToken);

        await Problem(await SignOffAsync(nowAnOfficer, requestId), HttpStatusCode.Forbidden, ErrorCodes.TwoKeysNeedTwoPeople);
        Assert.Equal("AwaitingSignOff", (string?)(await Json(await nowAnOfficer.GetAsync($"/requests/{requestId}"), HttpStatusCode.OK))["state"]);
    }

    [Fact]
    public async Task Bug_StewardWhoScreened_CannotVoteOnTheSameRequest()
    {
        var (stewardAndMember, _) = await host.CreateClientForRoleAsync(Roles.DataSteward, Roles.CommitteeMember);
        var (researcher, _) = await _api.As(Roles.Researcher);
        var requestId = await SubmitAsync(researcher, await _api.DatasetWithSourceAsync(stewardAndMember));
        await Json(await stewardAndMember.PostAsync($"/decisions/{requestId}/accept-for-review", null), HttpStatusCode.OK);

        await Problem(await VoteAsync(stewardAndMember, requestId), HttpStatusCode.Forbidden, ErrorCodes.TwoKeysNeedTwoPeople);
        Assert.DoesNotContain((await stewardAndMember.GetFromJsonAsync<List<Summary>>("/decisions/awaiting"))!, s => s.Id == requestId);
    }

    [Fact]
    public async Task Bug_EpsilonOf5e324_IsRefusedAtSubmissionAndInRegenerationVotes_NamingTheRange()
    {
        var (steward, _) = await _api.As(Roles.DataSteward);
        var (researcher, _) = await _api.As(Roles.Researcher);
        var datasetId = await _api.DatasetWithSourceAsync(steward);

        var submitted = await Problem(await researcher.PostAsJsonAsync("/requests", Terms(datasetId, epsilon: double.Epsilon)), HttpStatusCode.BadRequest,
            RequestErrors.ValidationFailed);
        Assert.Contains("ε must be from 0.01 to 1 per release", (string?)submitted["errors"]!["Epsilon"]![0]);
        Assert.Empty(await researcher.GetFromJsonAsync<List<Summary>>("/requests/mine") ?? []);

        var r = await _api.InReviewAsync();
        foreach (var member in r.Members.Take(2)) await Json(await VoteAsync(member, r.RequestId), HttpStatusCode.OK);
        await AdvanceAsync(r.RequestId, WorkflowTriggers.StartGeneration, WorkflowTriggers.Block);
        var before = await _api.EventTypesAsync(r.RequestId);
        var regeneration = await Problem(await r.Members[0].PostAsJsonAsync($"/decisions/{r.RequestId}/votes",
            new { decision = "approve", reason = "Try again", regenerate = new { epsilon = 5e-324 } }), HttpStatusCode.BadRequest, RequestErrors.ValidationFailed);
        Assert.Contains("ε must be from 0.01 to 1 per release", (string?)regeneration["errors"]!["Epsilon"]![0]);
        Assert.Equal(before, await _api.EventTypesAsync(r.RequestId));
        Assert.Contains(await RefusalsOfAsync(r.RequestId), x => x.Command == "vote" && x.Code == RequestErrors.ValidationFailed);
    }

    [Fact]
    public async Task Bug_HeaderOnlySourceTable_IsRefusedAtUpload_AndNothingIsStored()
    {
        var (steward, _) = await _api.As(Roles.DataSteward);
        var registered = await Json(await RegisterAsync(steward, "small-" + Guid.NewGuid().ToString("N")[..10]), HttpStatusCode.Created);
        var id = Guid.Parse((string)registered["id"]!);

        var headerOnly = await Problem(await UploadAsync(steward, id, "mrn,age,sex,outcome\n"), HttpStatusCode.UnprocessableEntity, ErrorCodes.SourceTooSmall);
        Assert.Contains("0 record(s)", (string?)headerOnly["detail"]);
        Assert.Contains("at least 100", (string?)headerOnly["detail"]);
        var oneShort = string.Concat(GoodCsv.Split('\n').Take(100).Select(l => l + "\n")); // header + 99 records
        await Problem(await UploadAsync(steward, id, oneShort), HttpStatusCode.UnprocessableEntity, ErrorCodes.SourceTooSmall);

        Assert.False(host.Services.GetRequiredService<SourceTableStore>().Exists(id));
        Assert.Equal(["DatasetRegistered"], await _api.EventTypesAsync(id));
        Assert.Equal(2, (await RefusalsOfAsync(id)).Count(x => x.Command == "upload-source" && x.Code == ErrorCodes.SourceTooSmall));
        // Nothing was kept, so the steward can upload the full table afterwards.
        await Json(await UploadAsync(steward, id, GoodCsv), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Bug_AnotherResearchersRequest_Answers404OnEveryVerb_LikeOneThatDoesNotExist()
    {
        var r = await _api.InReviewAsync();
        var (other, _) = await _api.As(Roles.Researcher);
        var terms = Terms(r.DatasetId);

        foreach (var id in new[] { r.RequestId, Guid.CreateVersion7() })
        {
            await Problem(await other.GetAsync($"/requests/{id}"), HttpStatusCode.NotFound, "RG2007");
            await Problem(await other.PostAsync($"/requests/{id}/withdraw", null), HttpStatusCode.NotFound, "RG2007");
            await Problem(await other.PostAsJsonAsync($"/requests/{id}/resubmit", terms), HttpStatusCode.NotFound, "RG2007");
            await Problem(await other.GetAsync($"/requests/{id}/releases"), HttpStatusCode.NotFound, "RG2007");
            await Problem(await other.GetAsync($"/requests/{id}/pipeline"), HttpStatusCode.NotFound, "RG2007");
            // Staff endpoints refuse the role before looking the id up: the same 403 for every id.
            await Problem(await VoteAsync(other, id), HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
        }
        Assert.Equal("CommitteeReview", (string?)(await Json(await r.Researcher.GetAsync($"/requests/{r.RequestId}"), HttpStatusCode.OK))["state"]);
        // The probe is on the record for compliance, though the prober learns nothing.
        Assert.Contains(await RefusalsOfAsync(r.RequestId), x => x.Command == "withdraw" && x.Code == "RG2007");
    }

    [Fact]
    public async Task Bug_RefusedVote_IsRecordedWithWhoWhatAndWhy_AndTheRequestIsUnchanged()
    {
        var r = await _api.InReviewAsync();
        var first = await VoteAsync(r.Members[0], r.RequestId);
        var etag = first.Headers.ETag!.Tag;
        var head = await host.EventStore.ReadHeadAsync();

        await Problem(await VoteAsync(r.Members[0], r.RequestId), HttpStatusCode.Conflict, ErrorCodes.AlreadyVoted);

        var details = await r.Members[1].GetAsync($"/requests/{r.RequestId}");
        Assert.Equal(etag, details.Headers.ETag!.Tag);
        var recorded = (await host.EventStore.QueryEventsAsync(new EventQuery { After = head.Position, Limit = EventQuery.MaxLimit })).Events;
        var refusal = Assert.Single(recorded);
        Assert.NotEqual(r.RequestId, refusal.StreamId);
        var refused = Assert.IsType<CommandRefused>(refusal.Data);
        Assert.Equal((r.RequestId, "vote", ErrorCodes.AlreadyVoted), (refused.StreamId, refused.Command, refused.Code));
        Assert.Equal(refusal.Metadata.ActorId, refused.RefusedBy);
        Assert.Contains("already voted", refused.Reason);
        Assert.True((await ReleaseGateway.EventStore.Verification.ChainVerifier.VerifyStoreAsync(host.EventStore)).Intact);
    }

    [Theory]
    [InlineData("title", "Readmission\u0000", "Title")]
    [InlineData("title", "Readmission \u202Etxt.exe", "Title")]
    [InlineData("purpose", "Model readmission \u2066risk\u2069", "Purpose")]
    [InlineData("justification", "Risk\u0007model", "Justification")]
    [InlineData("intendedUse", "Internal\u001Bresearch", "IntendedUse")]
    public async Task Bug_ControlAndBidiCharacters_AreRefusedInRequestTexts(string field, string value, string error)
    {
        var (steward, _) = await _api.As(Roles.DataSteward);
        var (researcher, _) = await _api.As(Roles.Researcher);
        var terms = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(Terms(await _api.DatasetWithSourceAsync(steward)), ReleaseGateway.EventStore.EventTypeRegistry.JsonOptions))!.AsObject();
        terms[field] = value;

        var problem = await Problem(await researcher.PostAsJsonAsync("/requests", terms), HttpStatusCode.BadRequest, RequestErrors.ValidationFailed);

        Assert.Contains("control characters", (string?)problem["errors"]![error]![0]);
        Assert.Empty(await researcher.GetFromJsonAsync<List<Summary>>("/requests/mine") ?? []);
    }

    [Fact]
    public async Task Bug_ControlAndBidiCharacters_AreRefusedInDatasetsVotesAndReasons_WhileLineBreaksInFreeTextAreKept()
    {
        var (steward, _) = await _api.As(Roles.DataSteward);
        var registered = await steward.PostAsJsonAsync("/datasets",
            new { name = "bidi-" + Guid.NewGuid().ToString("N")[..8], description = "Clinic \u202Etable", owner = "Hospital\u0000", schema = JsonNode.Parse(Schema) });
        var problem = await Problem(registered, HttpStatusCode.BadRequest, RequestErrors.ValidationFailed);
        Assert.NotNull(problem["errors"]!["Description"]);
        Assert.NotNull(problem["errors"]!["Owner"]);

        var r = await _api.InReviewAsync();
        var vote = await r.Members[0].PostAsJsonAsync($"/decisions/{r.RequestId}/votes", new { decision = "approve", reason = "Fine\u0000" });
        Assert.NotNull((await Problem(vote, HttpStatusCode.BadRequest, RequestErrors.ValidationFailed))["errors"]!["Reason"]);
        var changes = await r.Members[0].PostAsJsonAsync($"/decisions/{r.RequestId}/changes", new { reason = "Narrow \u2067the columns" });
        Assert.NotNull((await Problem(changes, HttpStatusCode.BadRequest, RequestErrors.ValidationFailed))["errors"]!["Reason"]);

        var multiLine = await r.Members[0].PostAsJsonAsync($"/decisions/{r.RequestId}/votes", new { decision = "approve", reason = "Proportionate.\r\n\tJustified." });
        await Json(multiLine, HttpStatusCode.OK);
    }

    [Fact]
    public async Task Bug_RequesterSeesRolesNotPeople_AndStaffResolveIdsToEmailAddresses()
    {
        var (steward, stewardUser) = await _api.As(Roles.DataSteward);
        var (researcher, researcherUser) = await _api.As(Roles.Researcher);
        var members = new List<(HttpClient Client, TestUser User)>();
        for (var i = 0; i < 2; i++) members.Add(await _api.As(Roles.CommitteeMember));
        var requestId = await SubmitAsync(researcher, await _api.DatasetWithSourceAsync(steward));
        await Json(await steward.PostAsync($"/decisions/{requestId}/accept-for-review", null), HttpStatusCode.OK);
        foreach (var (member, _) in members) await Json(await VoteAsync(member, requestId), HttpStatusCode.OK);

        var asRequester = await researcher.GetAsync($"/requests/{requestId}");
        var body = await asRequester.Content.ReadAsStringAsync();
        foreach (var staff in members.Select(m => m.User).Append(stewardUser))
        {
            Assert.DoesNotContain(staff.Id.ToString(), body);
            Assert.DoesNotContain(staff.Email, body);
        }
        var timeline = (await Json(asRequester, HttpStatusCode.OK))["timeline"]!.AsArray();
        Assert.Equal([researcherUser.Id.ToString(), "data steward", "committee", "committee", "committee"], timeline.Select(e => (string)e!["by"]!).ToArray());
        await Problem(await researcher.GetAsync($"/api/people?id={members[0].User.Id}"), HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);

        var answer = await members[0].Client.GetAsync($"/api/people?id={stewardUser.Id}&id={members[1].User.Id}&id=system");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var people = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal([stewardUser.Email, members[1].User.Email, "system"], people.Select(p => (string)p!["name"]!).ToArray());
    }
}
