using System.Diagnostics;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ReleaseGateway.Evaluation.Gates;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Audit;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Identity.Users;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Requests;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.AccessRequests.AdvanceAccessRequest;
using ReleaseGateway.Requests.AccessRequests.SubmitAccessRequest;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Requests.Workflows;
using ReleaseGateway.Testing;

namespace ReleaseGateway.Web.Bench;

internal sealed record BenchUser(Guid Id, string Email, string Password, string Role);

/// <summary>Where each request of the seeded store ended, and who is who.</summary>
internal enum Kind
{
    Screening, ChangesRequested, CommitteeReviewVoted, CommitteeReview, Rejected, Withdrawn, Approved, Blocked, Revoked, Released,
}

internal sealed record SeededStore(
    IReadOnlyList<BenchUser> Researchers, IReadOnlyList<BenchUser> Members, BenchUser Steward, BenchUser Officer, IReadOnlyList<Guid> Datasets,
    IReadOnlyList<(Guid Request, Kind Kind, BenchUser Researcher)> Requests, IReadOnlyDictionary<Guid, Guid> ReleaseOfRequest, long Events);

/// <summary>
/// Fills the store the way the gateway would have: users, datasets with a real table (gbsg), and 1,000 access requests
/// made through the same commands the API and the pages run (submit, screen, vote — approvals reserve budget in the same
/// commit), spread over every state. One request goes through the real pipeline (generation, evaluation, signed
/// publication); the other attempts repeat its events under their own ids (generation charges the ledger, evaluation,
/// a signed manifest each), some are revoked through the real command, and published ones are downloaded. Sign-ins make up
/// the rest of the audit log up to the requested number of events.
/// </summary>
internal sealed class Seeder(IServiceProvider services)
{
    // Kinds by request number modulo 20: about 55 % released, the rest spread over every other state.
    private static readonly Kind[] Mix =
    [
        Kind.Screening, Kind.ChangesRequested, Kind.CommitteeReviewVoted, Kind.CommitteeReview, Kind.Rejected, Kind.Withdrawn, Kind.Approved,
        Kind.Blocked, Kind.Revoked, Kind.Released, Kind.Released, Kind.Released, Kind.Released, Kind.Released, Kind.Released, Kind.Released,
        Kind.Released, Kind.Released, Kind.Released, Kind.Released,
    ];

    private static readonly string[] Columns = ["age", "meno", "size", "grade", "nodes", "pgr", "er", "hormon", "rfstime", "status"];
    private static readonly Actor System = Actor.Of(ReleasePipeline.SystemActorId, WorkflowRoles.System);

    private readonly IEventStore _store = services.GetRequiredService<IEventStore>();
    private readonly IServiceScope _scope = services.CreateScope();
    private AccessRequestCommands Requests => _scope.ServiceProvider.GetRequiredService<AccessRequestCommands>();
    private DatasetCommands Datasets => _scope.ServiceProvider.GetRequiredService<DatasetCommands>();
    private readonly WorkflowCatalog _workflows = services.GetRequiredService<WorkflowCatalog>();
    private readonly PolicyCatalog _policies = services.GetRequiredService<PolicyCatalog>();
    private readonly PrivacyBudgetLedgers _ledgers = services.GetRequiredService<PrivacyBudgetLedgers>();
    private readonly ReleasePublication _publication = services.GetRequiredService<ReleasePublication>();
    private readonly TimeProvider _time = services.GetRequiredService<TimeProvider>();
    private IReadOnlyList<object> _template = [];

    public static IReadOnlyList<string> DatasetNames(int count) => [.. Enumerable.Range(1, count).Select(i => $"bench-{i}")];

    public async Task<SeededStore> SeedAsync(int requests, long events, int datasets, Action<string> log, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var researchers = new List<BenchUser>();
        for (var i = 0; i < Math.Max(1, requests / 20); i++) researchers.Add(await UserAsync($"researcher-{i}", Roles.Researcher));
        var members = new List<BenchUser>();
        for (var i = 0; i < 6; i++) members.Add(await UserAsync($"member-{i}", Roles.CommitteeMember));
        var steward = await UserAsync("steward", Roles.DataSteward);
        var officer = await UserAsync("officer", Roles.ComplianceOfficer);
        var ids = new List<Guid>();
        var schema = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.SharedData, "gbsg-domain.json"), ct);
        foreach (var name in DatasetNames(datasets))
        {
            var dataset = await Datasets.RegisterAsync(Caller(steward), name, "German Breast Cancer Study Group (survival::gbsg), integer-coded",
                "GBSG", schema, ct);
            await using var csv = File.OpenRead(Path.Combine(RepositoryPaths.SharedData, "gbsg-disc.csv"));
            await Datasets.UploadSourceTableAsync(Caller(steward), dataset.Id, csv, csv.Length, ct);
            ids.Add(dataset.Id);
        }
        log($"users and datasets: {clock.Elapsed.TotalSeconds:F0} s");

        // One release made by the real pipeline: its events are the pattern of every other attempt.
        var template = await SubmitAsync(researchers[0], ids[0], ct);
        await Requests.AcceptForReviewAsync(Caller(steward), template, ct);
        await VoteAsync(members[4], template, "approve", ct);
        await VoteAsync(members[5], template, "approve", ct);
        var state = await services.GetRequiredService<ReleasePipeline>().RunAsync(template, ct);
        if (state != "Released") throw new InvalidOperationException($"The template release ended {state}.");
        var templateRelease = (await ReleaseQueries.OfRequestAsync(_store, template, ct)).Single();
        _template = (await _store.FetchStreamAsync(templateRelease.Id, ct)).Select(e => e.Data!).ToList();
        log($"one release through the real pipeline: {clock.Elapsed.TotalSeconds:F0} s");

        var made = new List<(Guid, Kind, BenchUser)> { (template, Kind.Released, researchers[0]) };
        var releases = new Dictionary<Guid, Guid> { [template] = templateRelease.Id };
        for (var i = 1; i < requests; i++)
        {
            var kind = Mix[i % Mix.Length];
            var researcher = researchers[i / 20 % researchers.Count];
            var (first, second) = (members[i % members.Count], members[(i + 1) % members.Count]);
            var id = await SubmitAsync(researcher, ids[i % ids.Count], ct);
            made.Add((id, kind, researcher));
            switch (kind)
            {
                case Kind.Screening:
                    break;
                case Kind.ChangesRequested:
                    await Requests.RequestChangesAsync(Caller(steward), id, "Justify every column, please.", ct);
                    break;
                case Kind.Withdrawn:
                    await Requests.WithdrawAsync(Caller(researcher), id, ct);
                    break;
                default:
                    await Requests.AcceptForReviewAsync(Caller(steward), id, ct);
                    if (kind == Kind.CommitteeReview) break;
                    if (kind == Kind.Rejected)
                    {
                        await VoteAsync(first, id, "reject", ct);
                        break;
                    }
                    await VoteAsync(first, id, "approve", ct);
                    if (kind == Kind.CommitteeReviewVoted) break;
                    await VoteAsync(second, id, "approve", ct);
                    if (kind == Kind.Approved) break;
                    var releaseId = await ReleaseAsync(id, passed: kind != Kind.Blocked, ct);
                    releases[id] = releaseId;
                    if (kind is Kind.Released or Kind.Revoked)
                        await DownloadsAsync(releaseId, researcher, officer, 10 + i % 21, ct);
                    if (kind == Kind.Revoked)
                        await services.GetRequiredService<ReleaseLifecycle>().RevokeAsync(releaseId, "Consent withdrawn for part of the cohort",
                            Actor.Of(steward.Id.ToString(), WorkflowRoles.DataSteward), Metadata(steward, WorkflowRoles.DataSteward), ct);
                    break;
            }
            if (i % 100 == 0) log($"{i} requests: {clock.Elapsed.TotalSeconds:F0} s, {(await _store.ReadHeadAsync(ct)).Position} events");
        }

        await SignInsAsync([.. researchers, .. members, steward, officer], events, ct);
        var head = (await _store.ReadHeadAsync(ct)).Position;
        log($"seeded {requests} requests, {releases.Count} release attempts, {head} events in {clock.Elapsed.TotalSeconds:F0} s");
        return new SeededStore(researchers, members, steward, officer, ids, made, releases, head);
    }

    private async Task<BenchUser> UserAsync(string name, string role)
    {
        var email = $"{name}@bench.example";
        var password = "bench-" + Guid.NewGuid().ToString("N");
        await using var scope = services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<UserAdministration>()
            .CreateUserAsync(email, [role], password, EventMetadata.System("bench-setup"));
        return new BenchUser(created.Id, email, password, role);
    }

    private async Task<Guid> SubmitAsync(BenchUser researcher, Guid datasetId, CancellationToken ct) =>
        (await Requests.SubmitAsync(Caller(researcher), new SubmitAccessRequestBody(datasetId, "Recurrence-free survival model",
            "Model recurrence-free survival after breast cancer surgery", "Treatment effect of hormonal therapy needs every covariate",
            "Academic research; aggregate results only", Columns, 0.5, 500, null, 90), null, ct)).Details.Id;

    private Task VoteAsync(BenchUser member, Guid requestId, string decision, CancellationToken ct) =>
        Requests.CastVoteAsync(Caller(member), requestId, decision, decision == "approve" ? "Proportionate and justified" : "Not proportionate", null, ct);

    /// <summary>
    /// The pipeline's steps for an approved request, each its own commit as the pipeline makes them, with the template's
    /// table and reports: generation starts (the ledger is charged), the table is stored, the evaluation passes (or a gate
    /// fails and the request is blocked), and a signed manifest is published.
    /// </summary>
    private async Task<Guid> ReleaseAsync(Guid requestId, bool passed, CancellationToken ct)
    {
        var (request, events) = await LoadAsync(requestId, ct);
        var approval = events.Last(e => e.Data is AccessRequestApproved);
        var releaseId = ReleaseIds.For(requestId, approval.StreamVersion);
        var dataset = (await _store.LoadAsync<DatasetDetails>(request.DatasetId, ct))!;
        var cap = BudgetCap.Of(_policies.For(dataset.Name));
        var now = _time.GetUtcNow();
        var started = Template<ReleaseGenerationStarted>() with
        {
            ReleaseId = releaseId, RequestId = requestId, DatasetId = dataset.Id, DatasetName = dataset.Name, RequesterId = request.RequesterId, Attempt = 1,
            Epsilon = request.Terms.Epsilon, Rows = request.Terms.Rows, Columns = request.Terms.Columns,
            Approvers = ((AccessRequestApproved)approval.Data!).Approvers, AccessDays = request.Terms.AccessDays, StartedAt = now,
        };
        var ledger = await _ledgers.LoadAsync(request.DatasetId, ct);
        await using (var session = _store.OpenSession(Metadata(releaseId)))
        {
            AdvanceAccessRequestHandler.Stage(session, request, Advance(request, WorkflowTriggers.StartGeneration, $"release {releaseId}"));
            PrivacyBudgetLedgers.Stage(session, ledger, ledger.Charge(releaseId, ReleasePipeline.SystemActorId, now, cap)!);
            session.StartStream(releaseId, started);
            await session.SaveChangesAsync(ct);
        }

        (request, _) = await LoadAsync(requestId, ct);
        ledger = await _ledgers.LoadAsync(request.DatasetId, ct);
        var generated = Template<SyntheticTableGenerated>() with
        {
            ReleaseId = releaseId, Cost = ledger.Entries[releaseId].Cost, EpsilonSpentAfter = ledger.Spent.EpsilonAt(cap.Delta), GeneratedAt = _time.GetUtcNow(),
        };
        await using (var session = _store.OpenSession(Metadata(releaseId)))
        {
            session.Append(releaseId, 1, Template<ReleaseSplitRecorded>() with { ReleaseId = releaseId }, generated);
            AdvanceAccessRequestHandler.Stage(session, request, Advance(request, WorkflowTriggers.CompleteGeneration, $"release {releaseId}: {generated.Rows} rows"));
            await session.SaveChangesAsync(ct);
        }

        (request, _) = await LoadAsync(requestId, ct);
        var evaluated = Template<ReleaseEvaluated>() with { ReleaseId = releaseId, Passed = passed, EvaluatedAt = _time.GetUtcNow() };
        if (!passed) evaluated = evaluated with { Gates = [evaluated.Gates[0] with { Status = GateStatus.Fail }, .. evaluated.Gates.Skip(1)] };
        await using (var session = _store.OpenSession(Metadata(releaseId)))
        {
            if (passed)
            {
                session.Append(releaseId, 3, evaluated);
                AdvanceAccessRequestHandler.Stage(session, request, Advance(request, WorkflowTriggers.PassGates, $"release {releaseId}: every gate passed"));
            }
            else
            {
                var reason = $"gates failed: {evaluated.Gates[0].Name}";
                session.Append(releaseId, 3, evaluated, new ReleaseBlocked(releaseId, ReleaseSteps.Evaluate, reason, _time.GetUtcNow()));
                AdvanceAccessRequestHandler.Stage(session, request, Advance(request, WorkflowTriggers.Block, $"release {releaseId}: {reason}"));
            }
            await session.SaveChangesAsync(ct);
        }
        if (!passed) return releaseId;

        (request, _) = await LoadAsync(requestId, ct);
        var stream = await _store.FetchStreamAsync(releaseId, ct);
        var published = await _publication.PrepareAsync(stream, await _ledgers.LoadAsync(request.DatasetId, ct), cap, DatasetSchema.Parse(dataset.SchemaJson),
            _time.GetUtcNow(), ct);
        await using (var session = _store.OpenSession(Metadata(releaseId)))
        {
            session.Append(releaseId, stream[^1].StreamVersion, published);
            AdvanceAccessRequestHandler.Stage(session, request, Advance(request, WorkflowTriggers.Publish, $"release {releaseId} published"));
            await session.SaveChangesAsync(ct);
        }
        return releaseId;
    }

    /// <summary>The researcher downloads the release's files <paramref name="count"/> times in all; a compliance officer fetches the manifest once.</summary>
    private async Task DownloadsAsync(Guid releaseId, BenchUser researcher, BenchUser officer, int count, CancellationToken ct)
    {
        var release = (await _store.LoadAsync<ReleaseDetails>(releaseId, ct))!;
        var now = _time.GetUtcNow();
        await using (var session = _store.OpenSession(Metadata(researcher, WorkflowRoles.Researcher)))
        {
            session.Append(releaseId, release.Version, [.. Enumerable.Range(0, count).Select(i => release.Artifacts[i % release.Artifacts.Count])
                .Select(a => (object)new ReleaseArtifactDownloaded(releaseId, a.Name, a.Sha256, researcher.Id.ToString(), WorkflowRoles.Researcher, now))]);
            await session.SaveChangesAsync(ct);
        }
        var manifest = release.Artifacts.Single(a => a.Name == ReleasePublication.ManifestName);
        await using (var session = _store.OpenSession(Metadata(officer, WorkflowRoles.ComplianceOfficer)))
        {
            session.Append(releaseId, release.Version + count,
                new ReleaseArtifactDownloaded(releaseId, manifest.Name, manifest.Sha256, officer.Id.ToString(), WorkflowRoles.ComplianceOfficer, now));
            await session.SaveChangesAsync(ct);
        }
    }

    /// <summary>Sign-ins on the users' own streams, as the identity module records them, until the log holds <paramref name="target"/> events.</summary>
    private async Task SignInsAsync(IReadOnlyList<BenchUser> users, long target, CancellationToken ct)
    {
        var versions = new Dictionary<Guid, long>();
        foreach (var user in users) versions[user.Id] = (await _store.FetchStreamAsync(user.Id, ct)) is { Count: > 0 } stream ? stream[^1].StreamVersion : 0;
        var missing = target - (await _store.ReadHeadAsync(ct)).Position;
        for (var batch = 0; missing > 0; batch++)
        {
            var user = users[batch % users.Count];
            var count = (int)Math.Min(500, missing);
            await using var session = _store.OpenSession(Metadata(user, user.Role));
            object[] signIns = [.. Enumerable.Range(0, count).Select(_ => (object)new UserSignedIn(user.Id, "password", _time.GetUtcNow()))];
            if (versions[user.Id] == 0) session.StartStream(user.Id, signIns);
            else session.Append(user.Id, versions[user.Id], signIns);
            await session.SaveChangesAsync(ct);
            versions[user.Id] += count;
            missing -= count;
        }
    }

    private T Template<T>() => _template.OfType<T>().First();

    private AccessRequestAdvanced Advance(AccessRequest request, string trigger, string reason) =>
        AdvanceAccessRequestDecider.Handle(request, new AdvanceAccessRequest(request.Id, trigger, reason, System, _time.GetUtcNow()),
            _workflows.Get(request.Workflow));

    private async Task<(AccessRequest Request, IReadOnlyList<StoredEvent> Events)> LoadAsync(Guid requestId, CancellationToken ct)
    {
        var events = await _store.FetchStreamAsync(requestId, ct);
        return (await AccessRequestStream.LoadAsync(_store, requestId, ct), events);
    }

    private static EventMetadata Metadata(Guid releaseId) => new(ReleasePipeline.SystemActorId, WorkflowRoles.System, $"release-{releaseId:N}");

    private static EventMetadata Metadata(BenchUser user, string role) => new(user.Id.ToString(), role, "bench-" + Guid.NewGuid().ToString("N"));

    /// <summary>The caller as the commands take it, exactly as for the API or a page.</summary>
    private static CommandContext Caller(BenchUser user) => new(Actor.Of(user.Id.ToString(), user.Role), role => Metadata(user, role));
}
