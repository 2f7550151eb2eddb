using ReleaseGateway.Requests.Committees;
using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.EventStore;
using ReleaseGateway.EventStore.Verification;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Releases.Jobs;
using ReleaseGateway.Requests;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Releases.Pipeline;

/// <summary>A release with <c>Live</c> progress when this process runs its step (the details' Step/Percent are the last recorded mark).</summary>
public sealed record ReleaseView(ReleaseDetails Release, LiveProgress? Live);

public sealed record RevokeBody(string Reason);

/// <summary>
/// Where a request is in the pipeline: its state, its job (waiting or running, where, how far) and its release attempts;
/// and what the request's workflow definition says of that state, so a client need not know any workflow's state names.
/// </summary>
/// <param name="RequestId">The request.</param>
/// <param name="State">Its workflow state.</param>
/// <param name="Job">Its pipeline job, if one is waiting or running.</param>
/// <param name="Releases">Its release attempts, oldest first.</param>
/// <param name="Ended">The state is terminal: nothing more will happen to the request.</param>
/// <param name="AwaitingSignOff">The state waits for a compliance officer's sign-off.</param>
/// <param name="NextStep">The trigger the gateway itself may fire from this state (<see cref="ReleasePipeline.NextStep"/>), if any.</param>
public sealed record PipelineView(Guid RequestId, string State, JobStatus? Job, IReadOnlyList<ReleaseView> Releases,
    bool Ended = false, bool AwaitingSignOff = false, string? NextStep = null);

internal static class ReleaseEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var releases = app.MapGroup("/releases").WithTags("Releases").AddEndpointFilter<RequestsProblemFilter>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        releases.MapGet("/{id:guid}", GetRelease).RequireAuthorization(AuthPolicies.Authenticated)
            .WithName("GetRelease").WithSummary("A release attempt: status, progress, gate results, artifacts with their hashes, expiry, downloads");
        releases.MapGet("/{id:guid}/artifacts/{name}", Download).RequireAuthorization(AuthPolicies.Authenticated)
            .WithName("DownloadReleaseArtifact").WithSummary("Download an artifact of a published release (requester, committee, compliance); each download is recorded")
            .ProducesProblem(StatusCodes.Status410Gone);
        releases.MapGet("/{id:guid}/evaluation-report", EvaluationReport).RequireAuthorization(AuthPolicies.Authenticated)
            .WithName("GetEvaluationReport")
            .WithSummary("The committee's evaluation report of an attempt (real-data attacks and fidelity; JSON, or HTML with ?format=html): committee, " +
                         "compliance and stewards only, each view recorded; not found for anyone else");
        releases.MapPost("/{id:guid}/revoke", Revoke).RequireAuthorization(AuthPolicies.Authenticated)
            .WithName("RevokeRelease").WithSummary("Revoke a published release with a reason (committee members, data stewards); downloads stop")
            .ProducesValidationProblem();

        // The key release manifests (and audit checkpoints) are signed with, for `rgw release verify --key`.
        app.MapGet("/.well-known/rgw-signing-key.pem", (Lazy<AuditSigningKey> key) =>
                TypedResults.Text(key.Value.ExportPublicKeyPem(), "application/x-pem-file"))
            .AllowAnonymous().WithTags("Releases").WithName("GetSigningKey")
            .WithSummary("The gateway's public signing key (PEM): verifies release manifests and audit checkpoints offline");

        app.MapGet("/requests/{id:guid}/releases", ForRequest).RequireAuthorization(AuthPolicies.Authenticated)
            .AddEndpointFilter<RequestsProblemFilter>().WithTags("Releases")
            .WithName("ListRequestReleases").WithSummary("The request's release attempts with their progress");
        app.MapGet("/requests/{id:guid}/pipeline", Pipeline).RequireAuthorization(AuthPolicies.Authenticated)
            .AddEndpointFilter<RequestsProblemFilter>().WithTags("Releases")
            .WithName("GetRequestPipeline").WithSummary("The request's state, its pipeline job (waiting/running, instance, progress) and release attempts");
    }

    private static async Task<Ok<ReleaseView>> GetRelease(Guid id, HttpContext http, ReleaseLifecycle lifecycle, PipelineProgress progress, IEventStore store,
        CancellationToken ct)
    {
        var release = await lifecycle.GetAsync(id, ct);
        var actor = http.GetActor();
        if (!ReleaseLifecycle.MayView(release, actor.Id, actor.Roles,
                await ReleaseLifecycle.IsSeatedAsync(store, new Actor(actor.Id, actor.Roles), release, ct))) throw new RequestRefusedException(ReleaseErrors.ReleaseNotFound(id));
        return TypedResults.Ok(new ReleaseView(ReleaseBoundary.View(release, actor.Roles), ReleaseBoundary.View(progress.Get(id), actor.Roles)));
    }

    private static async Task<Ok<IReadOnlyList<ReleaseView>>> ForRequest(Guid id, HttpContext http, IEventStore store, PipelineProgress progress, CancellationToken ct)
    {
        await VisibleRequestAsync(id, http, store, ct);
        return TypedResults.Ok(await ReleasesOfAsync(id, store, progress, http.GetActor().Roles, ct));
    }

    private static async Task<Ok<PipelineView>> Pipeline(Guid id, HttpContext http, IEventStore store, PipelineProgress progress, IReleaseJobs jobs,
        WorkflowCatalog workflows, CancellationToken ct)
    {
        var request = await VisibleRequestAsync(id, http, store, ct);
        var definition = workflows.Get(request.Workflow);
        var applied = definition.WithOptionalSteps(request.OptionalSteps);
        var roles = http.GetActor().Roles;
        var job = await jobs.GetStatusAsync(AdvanceReleaseJob.KeyFor(id), ct);
        if (!ReleaseBoundary.IsInside(roles)) job = job is null ? null : job with { ProgressMessage = null };
        return TypedResults.Ok(new PipelineView(id, request.State, job, await ReleasesOfAsync(id, store, progress, roles, ct),
            Ended: applied.State(request.State).Terminal,
            AwaitingSignOff: applied.TransitionsFrom(request.State).Any(t => t.Trigger == WorkflowTriggers.SignOff),
            NextStep: ReleasePipeline.NextStep(request.ToRequest(), definition)));
    }

    private static async Task<AccessRequestDetails> VisibleRequestAsync(Guid id, HttpContext http, IEventStore store, CancellationToken ct)
    {
        var request = await store.LoadAsync<AccessRequestDetails>(id, ct);
        var actor = http.GetActor();
        if (request is null || !AccessRequestQueries.MaySee(new Actor(actor.Id, actor.Roles), request, await CommitteeRoster.LoadAsync(store, ct)))
            throw new RequestRefusedException(RequestErrors.RequestNotFound(id));
        return request;
    }

    private static async Task<IReadOnlyList<ReleaseView>> ReleasesOfAsync(Guid requestId, IEventStore store, PipelineProgress progress,
        IReadOnlySet<string> roles, CancellationToken ct) =>
        (await ReleaseQueries.OfRequestAsync(store, requestId, ct))
        .Select(r => new ReleaseView(ReleaseBoundary.View(r, roles), ReleaseBoundary.View(progress.Get(r.Id), roles))).ToList();

    private static async Task<IResult> Download(Guid id, string name, HttpContext http, ReleaseCommands commands, CancellationToken ct)
    {
        var (artifact, stream) = await commands.DownloadAsync(CommandContext.Of(http), id, name, ct);
        http.Response.Headers["Digest"] = $"sha-256={Convert.ToBase64String(Convert.FromHexString(artifact.Sha256))}";
        return TypedResults.File(stream, artifact.MediaType, artifact.Name);
    }

    private static async Task<IResult> EvaluationReport(Guid id, string? format, HttpContext http, ReleaseCommands commands, CancellationToken ct)
    {
        var (artifact, stream) = await commands.ReadEvaluationReportAsync(CommandContext.Of(http), id, format == "html", "api", ct);
        return TypedResults.File(stream, artifact.MediaType, artifact.Name);
    }

    private static async Task<Ok<ReleaseDetails>> Revoke(Guid id, RevokeBody body, HttpContext http, ReleaseCommands commands, CancellationToken ct) =>
        TypedResults.Ok(await commands.RevokeAsync(CommandContext.Of(http), id, body.Reason, ct));
}
