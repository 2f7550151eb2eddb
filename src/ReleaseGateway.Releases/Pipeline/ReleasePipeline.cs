using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using ReleaseGateway.Diagnostics;
using ReleaseGateway.Evaluation.Gates;
using ReleaseGateway.EventStore;
using ReleaseGateway.Requests;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.AccessRequests.AdvanceAccessRequest;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Requests.Workflows;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Releases.Generators;
using ReleaseGateway.Datasets.Schema;

namespace ReleaseGateway.Releases.Pipeline;

/// <summary>
/// Drives one request through the release pipeline: approved → generating (budget charged) → evaluating → gates →
/// [sign-off] → published. <see cref="RunAsync"/> takes every step the request's state allows the gateway to take,
/// one after another, and stops where a person must act. Each step commits its events (request, release and
/// budget streams) in one session at the versions it decided on, so two workers racing on a request record a step
/// once, and a job re-run after a crash continues from the recorded state:
/// <list type="bullet">
/// <item>interrupted generation fails closed: the request is blocked, the charge stays (the data was touched);</item>
/// <item>interrupted evaluation resumes: it is seeded and deterministic, and costs no budget;</item>
/// <item>nothing is published without a <see cref="ReleaseEvaluated"/> whose DP release check passed (ADR 0026).</item>
/// </list>
/// </summary>
public sealed partial class ReleasePipeline(
    IEventStore store,
    WorkflowCatalog workflows,
    PolicyCatalog policies,
    PrivacyBudgetLedgers ledgers,
    ReleaseGeneration generation,
    ReleaseEvaluation evaluation,
    ReleasePublication publication,
    TimeProvider time,
    ILogger<ReleasePipeline> logger)
{
    public const string SystemActorId = "system:release-pipeline";
    private static readonly Counter<long> Steps =
        new Meter(GatewayTelemetry.Name).CreateCounter<long>("rgw.release.steps", description: "Pipeline steps taken, by step");
    private static readonly Actor System = Actor.Of(SystemActorId, WorkflowRoles.System);

    /// <summary>Takes every step the gateway may take on <paramref name="requestId"/> now; returns the state it stopped in.</summary>
    public async Task<string> RunAsync(Guid requestId, CancellationToken ct)
    {
        for (var steps = 0; steps < 16; steps++)
        {
            var (request, events) = await LoadAsync(requestId, ct);
            var definition = workflows.Get(request.Workflow);
            var next = NextStep(request, definition);
            if (next is null) return request.State;
            using var activity = GatewayTelemetry.ActivitySource.StartActivity($"release {next}");
            activity?.SetTag("rgw.request.id", requestId);
            Steps.Add(1, new KeyValuePair<string, object?>("step", next));
            try
            {
                switch (next)
                {
                    case WorkflowTriggers.StartGeneration:
                        await StartGenerationAsync(request, events, ct);
                        break;
                    case WorkflowTriggers.CompleteGeneration:
                        await FailInterruptedGenerationAsync(request, events, ct);
                        break;
                    case WorkflowTriggers.PassGates:
                        await EvaluateAsync(request, events, ct);
                        break;
                    case WorkflowTriggers.Publish:
                        await PublishAsync(request, events, ct);
                        break;
                }
            }
            catch (StreamVersionConflictException)
            {
                // Someone else moved the request (a withdrawal, another worker): look again at what it is now.
            }
            catch (RequestRefusedException e)
            {
                Refused(requestId, e.Error.Detail);
            }
        }
        return (await LoadAsync(requestId, ct)).Request.State;
    }

    /// <summary>The gateway's own trigger the request's state allows, if any.</summary>
    public static string? NextStep(AccessRequest request, WorkflowDefinition definition)
    {
        var triggers = definition.WithOptionalSteps(request.OptionalSteps).TransitionsFrom(request.State)
            .Where(t => t.Roles.Contains(WorkflowRoles.System)).Select(t => t.Trigger).ToHashSet();
        foreach (var trigger in new[] { WorkflowTriggers.StartGeneration, WorkflowTriggers.CompleteGeneration, WorkflowTriggers.PassGates, WorkflowTriggers.Publish })
            if (triggers.Contains(trigger)) return trigger;
        return null;
    }

    private async Task StartGenerationAsync(AccessRequest request, IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        var approval = events.Last(e => e.Data is AccessRequestApproved);
        var approved = (AccessRequestApproved)approval.Data!;
        var releaseId = ReleaseIds.For(request.Id, approval.StreamVersion);
        var dataset = await store.LoadAsync<DatasetDetails>(request.DatasetId, ct)
            ?? throw new InvalidOperationException($"Dataset {request.DatasetId} of request {request.Id} is gone.");
        // The request's own policy shapes the release; the dataset's policy now sets the cap (ADR 0057).
        var policy = policies.OfRequest(request.Policy, dataset);
        var cap = BudgetCap.Of(policies.Of(dataset));
        var now = time.GetUtcNow();
        var ledger = await ledgers.LoadAsync(request.DatasetId, ct);
        var attempt = events.Count(e => e.Data is AccessRequestApproved);
        var plan = generation.Plan(releaseId, request, dataset, policy, attempt, approved.Approvers, now);
        var generator = GeneratorRegistry.Default.Get(plan.Started.Generator);

        var start = Advance(request, WorkflowTriggers.StartGeneration, $"release {releaseId}", now);
        await using (var session = store.OpenSession(Metadata(releaseId)))
        {
            AdvanceAccessRequestHandler.Stage(session, request, start);
            // A generator this node cannot run touches no data: the attempt is blocked below without a charge (ADR 0043).
            if (generator.IsInstalled && ledger.Charge(releaseId, SystemActorId, now, cap, plan.Started.BudgetPlan().BinningRho) is { } charged) PrivacyBudgetLedgers.Stage(session, ledger, charged);
            session.StartStream(releaseId, plan.Started);
            await session.SaveChangesAsync(ct);
        }
        StepTaken(request.Id, WorkflowTriggers.StartGeneration, releaseId);

        if (!generator.IsInstalled)
        {
            await BlockAsync(request, releaseId, ReleaseSteps.Generate,
                $"{new GeneratorNotInstalledException(generator).Message}; no node with it was running; the budget was not charged", ct);
            return;
        }
        await GenerateAsync(request with { State = start.State, Version = request.Version + 1 }, plan, ct);
    }

    private async Task GenerateAsync(AccessRequest request, GenerationPlan plan, CancellationToken ct)
    {
        var releaseId = plan.Started.ReleaseId;
        GenerationOutcome outcome;
        try
        {
            outcome = await generation.RunAsync(plan, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            GenerationFailed(e, releaseId);
            await BlockAsync(request, releaseId, ReleaseSteps.Generate, $"generation failed: {e.Message}", ct);
            return;
        }

        var now = time.GetUtcNow();
        (request, _) = await LoadAsync(request.Id, ct); // generation takes a while: decide on the request as it is now
        var release = await store.FetchStreamAsync(releaseId, ct);
        var ledger = await ledgers.LoadAsync(request.DatasetId, ct);
        var cap = BudgetCap.Of(policies.Of(await store.LoadAsync<DatasetDetails>(request.DatasetId, ct)
            ?? throw new InvalidOperationException($"Dataset {request.DatasetId} is gone.")));
        await using var session = store.OpenSession(Metadata(releaseId));
        if (outcome.AccountedCost is { } accounted)
        {
            var accountedCharge = ledger.RecordAccountedCost(releaseId, accounted, SystemActorId, now, cap);
            PrivacyBudgetLedgers.Stage(session, ledger, accountedCharge);
            ledger = ledger.Apply(accountedCharge);
        }
        var cost = ledger.Entries[releaseId].Cost;
        List<object> recorded = [outcome.Split, .. outcome.Bins is { } bins ? [bins] : Array.Empty<object>(), new SyntheticTableGenerated(releaseId, outcome.Table, outcome.Rows, cost, ledger.Spent.EpsilonAt(cap.Delta), now, outcome.Formats, outcome.Measurements)];
        AccessRequestAdvanced? completed = null;
        if (NextStep(request, workflows.Get(request.Workflow)) == WorkflowTriggers.CompleteGeneration)
            completed = Advance(request, WorkflowTriggers.CompleteGeneration, $"release {releaseId}: synthetic table stored", now);
        else // withdrawn while generating: the attempt ends here, on the record; the charge stays and nothing is released
            recorded.Add(new ReleaseBlocked(releaseId, ReleaseSteps.Generate, $"the request was {request.State} meanwhile; the charge stays and nothing is released", now));
        session.Append(releaseId, release[^1].StreamVersion, [.. recorded]);
        if (completed is not null) AdvanceAccessRequestHandler.Stage(session, request, completed);
        await session.SaveChangesAsync(ct);
        StepTaken(request.Id, WorkflowTriggers.CompleteGeneration, releaseId);
    }

    /// <summary>A job found the request still generating: the process running it died. Fail closed, once; the charge stays.</summary>
    private async Task FailInterruptedGenerationAsync(AccessRequest request, IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        var releaseId = CurrentReleaseId(events);
        await BlockAsync(request, releaseId, ReleaseSteps.Generate,
            "generation was interrupted (the gateway process running it stopped); the budget charge stays, the committee may approve a regeneration", ct);
    }

    private async Task EvaluateAsync(AccessRequest request, IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        var releaseId = CurrentReleaseId(events);
        var release = await store.FetchStreamAsync(releaseId, ct);
        var started = release.Select(e => e.Data).OfType<ReleaseGenerationStarted>().Single();
        var generated = release.Select(e => e.Data).OfType<SyntheticTableGenerated>().Single();
        var dataset = await store.LoadAsync<DatasetDetails>(request.DatasetId, ct)
            ?? throw new InvalidOperationException($"Dataset {request.DatasetId} is gone.");
        var policy = policies.OfRequest(request.Policy, dataset);

        ReleaseEvaluated evaluated;
        try
        {
            evaluated = await evaluation.RunAsync(started, generated, ReleaseBinsPlaced.Of(release.Select(e => e.Data)), dataset, policy, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            EvaluationFailed(e, releaseId);
            await BlockAsync(request, releaseId, ReleaseSteps.Evaluate, $"evaluation failed: {e.Message}", ct);
            return;
        }

        var now = time.GetUtcNow();
        var version = (await store.FetchStreamAsync(releaseId, ct))[^1].StreamVersion;
        // Evaluation takes a while: look again at the request before deciding on it.
        (request, _) = await LoadAsync(request.Id, ct);
        if (NextStep(request, workflows.Get(request.Workflow)) != WorkflowTriggers.PassGates)
        {
            await AbandonAsync(request.Id, releaseId, ReleaseSteps.Evaluate, ct);
            return;
        }
        await using var session = store.OpenSession(Metadata(releaseId));
        if (evaluated.Passed)
        {
            session.Append(releaseId, version, evaluated);
            AdvanceAccessRequestHandler.Stage(session, request, Advance(request, WorkflowTriggers.PassGates, $"release {releaseId}: the release checks passed", now));
        }
        else
        {
            // Only the DP check decides (attempts started before it existed: every gate); the detailed reason stays inside
            // the boundary, on the release stream.
            var reason = evaluated.Gates.Any(g => g.Name == ReleaseEvaluation.DpCheckName)
                ? $"the DP release check ({ReleaseEvaluation.DpCheckName}) blocked publication"
                : "gates failed: " + string.Join(", ", evaluated.Gates.Where(g => g.Status.IsBlocking()).Select(g => g.Name)
                    .Concat(evaluated.Errors.Select(e => $"error: {e}")));
            session.Append(releaseId, version, evaluated, new ReleaseBlocked(releaseId, ReleaseSteps.Evaluate, reason, now));
            AdvanceAccessRequestHandler.Stage(session, request, Advance(request, WorkflowTriggers.Block, $"release {releaseId}: {ReleaseBoundary.BlockedOutside}", now));
        }
        await session.SaveChangesAsync(ct);
        StepTaken(request.Id, evaluated.Passed ? WorkflowTriggers.PassGates : WorkflowTriggers.Block, releaseId);
    }

    private async Task PublishAsync(AccessRequest request, IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        var releaseId = CurrentReleaseId(events);
        var release = await store.FetchStreamAsync(releaseId, ct);
        // The gate that matters most: no evaluation that passed, no publication (whatever the request's state says).
        if (!release.Select(e => e.Data).OfType<ReleaseEvaluated>().Any(e => e.Passed))
        {
            await BlockAsync(request, releaseId, ReleaseSteps.Publish, "no passing evaluation is on record for this release", ct);
            return;
        }
        var ledger = await ledgers.LoadAsync(request.DatasetId, ct);
        var dataset = await store.LoadAsync<DatasetDetails>(request.DatasetId, ct)
            ?? throw new InvalidOperationException($"Dataset {request.DatasetId} is gone.");
        var policy = policies.Of(dataset);
        var now = time.GetUtcNow();
        var published = await publication.PrepareAsync(release, ledger, BudgetCap.Of(policy), DatasetSchema.Parse(dataset.SchemaJson), now, ct);

        await using var session = store.OpenSession(Metadata(releaseId));
        session.Append(releaseId, release[^1].StreamVersion, published);
        AdvanceAccessRequestHandler.Stage(session, request, Advance(request, WorkflowTriggers.Publish, $"release {releaseId} published", now));
        await session.SaveChangesAsync(ct);
        StepTaken(request.Id, WorkflowTriggers.Publish, releaseId);
    }

    private async Task BlockAsync(AccessRequest request, Guid releaseId, string step, string reason, CancellationToken ct)
    {
        var (current, _) = await LoadAsync(request.Id, ct);
        var now = time.GetUtcNow();
        var release = await store.FetchStreamAsync(releaseId, ct);
        await using var session = store.OpenSession(Metadata(releaseId));
        if (release.Count > 0) session.Append(releaseId, release[^1].StreamVersion, new ReleaseBlocked(releaseId, step, reason, now));
        // A request withdrawn meanwhile is not blocked (it has left the pipeline); its attempt still records why it ended.
        if (Allows(current, WorkflowTriggers.Block))
            AdvanceAccessRequestHandler.Stage(session, current, Advance(current, WorkflowTriggers.Block, $"release {releaseId}: {ReleaseBoundary.BlockedOutside}", now));
        await session.SaveChangesAsync(ct);
        StepTaken(request.Id, WorkflowTriggers.Block, releaseId);
    }

    private async Task AbandonAsync(Guid requestId, Guid releaseId, string step, CancellationToken ct)
    {
        var (current, _) = await LoadAsync(requestId, ct);
        var release = await store.FetchStreamAsync(releaseId, ct);
        await using var session = store.OpenSession(Metadata(releaseId));
        session.Append(releaseId, release[^1].StreamVersion,
            new ReleaseBlocked(releaseId, step, $"the request was {current.State} meanwhile; the charge stays and nothing is released", time.GetUtcNow()));
        await session.SaveChangesAsync(ct);
    }

    private bool Allows(AccessRequest request, string trigger) =>
        workflows.Get(request.Workflow).WithOptionalSteps(request.OptionalSteps).TransitionsFrom(request.State).Any(t => t.Trigger == trigger);

    private AccessRequestAdvanced Advance(AccessRequest request, string trigger, string reason, DateTimeOffset now) =>
        AdvanceAccessRequestDecider.Handle(request, new AdvanceAccessRequest(request.Id, trigger, reason, System, now), workflows.Get(request.Workflow));

    private async Task<(AccessRequest Request, IReadOnlyList<StoredEvent> Events)> LoadAsync(Guid requestId, CancellationToken ct)
    {
        var events = await store.FetchStreamAsync(requestId, ct);
        var request = AccessRequest.Rebuild(events.Select(e => e.Data).OfType<object>())
            ?? throw new RequestRefusedException(RequestErrors.RequestNotFound(requestId));
        return (request with { Version = events[^1].StreamVersion }, events);
    }

    private static Guid CurrentReleaseId(IReadOnlyList<StoredEvent> requestEvents)
    {
        var approval = requestEvents.Last(e => e.Data is AccessRequestApproved);
        return ReleaseIds.For(((AccessRequestApproved)approval.Data!).RequestId, approval.StreamVersion);
    }

    private static EventMetadata Metadata(Guid releaseId) => new(SystemActorId, WorkflowRoles.System, $"release-{releaseId:N}");

    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Request {RequestId}: {Trigger} (release {ReleaseId})")]
    private partial void StepTaken(Guid requestId, string trigger, Guid releaseId);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Request {RequestId}: pipeline step refused: {Detail}")]
    private partial void Refused(Guid requestId, string detail);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Release {ReleaseId}: generation failed")]
    private partial void GenerationFailed(Exception e, Guid releaseId);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "Release {ReleaseId}: evaluation failed")]
    private partial void EvaluationFailed(Exception e, Guid releaseId);
}
