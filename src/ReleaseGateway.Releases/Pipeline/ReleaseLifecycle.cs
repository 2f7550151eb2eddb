using ReleaseGateway.Requests.Committees;
using ReleaseGateway.EventStore;
using ReleaseGateway.Requests;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.AccessRequests.AdvanceAccessRequest;
using ReleaseGateway.Requests.Agreements;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Releases.Pipeline;

/// <summary>What happens to a published release: downloads (each one an event), revocation (with a reason) and expiry.</summary>
public sealed class ReleaseLifecycle(IEventStore store, WorkflowCatalog workflows, TimeProvider time)
{
    private const int Attempts = 32;

    public async Task<ReleaseDetails> GetAsync(Guid releaseId, CancellationToken ct) =>
        await store.LoadAsync<ReleaseDetails>(releaseId, ct) ?? throw new RequestRefusedException(ReleaseErrors.ReleaseNotFound(releaseId));

    /// <summary>Who may see a release's page: the requester, the committee, compliance officers and data stewards.</summary>
    public static bool MayView(ReleaseDetails release, string actorId, IReadOnlySet<string> roles) =>
        MayDownload(release, actorId, roles) || roles.Contains(WorkflowRoles.DataSteward);

    /// <summary>Who may download: the researcher who requested it, committee members and compliance officers.</summary>
    public static bool MayDownload(ReleaseDetails release, string actorId, IReadOnlySet<string> roles) =>
        release.RequesterId == actorId || roles.Contains(WorkflowRoles.CommitteeMember) || roles.Contains(WorkflowRoles.ComplianceOfficer);

    /// <summary>
    /// Who may read an attempt's evaluation report (the real-data evidence behind a decision): those inside the trust boundary,
    /// committee members, compliance officers and data stewards, each view recorded. Never the requester, never a release file.
    /// </summary>
    public static bool MayReadEvaluation(IReadOnlySet<string> roles) => ReleaseBoundary.IsInside(roles);

    /// <summary>Records the download (who, when, which artifact) and returns the artifact to serve; refused once revoked or expired.</summary>
    public async Task<ReleaseArtifact> RecordDownloadAsync(Guid releaseId, string artifactName, string actorId, IReadOnlySet<string> roles,
        EventMetadata metadata, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var release = await GetAsync(releaseId, ct);
            // Who may not see the release learns nothing of it, on every verb (issue 15, row 7); a steward sees it but does not download.
            if (!MayView(release, actorId, roles)) throw new RequestRefusedException(ReleaseErrors.ReleaseNotFound(releaseId));
            if (!MayDownload(release, actorId, roles))
                throw new RequestRefusedException(ReleaseErrors.NotAllowedToDownload());
            var now = time.GetUtcNow();
            if (!release.IsAvailable(now))
                throw new RequestRefusedException(release.Status is ReleaseStatus.Revoked or ReleaseStatus.Expired || release.ExpiresAt <= now
                    || release.ClosedOutAt is not null
                    ? ReleaseErrors.NoLongerAvailable(release.Status == ReleaseStatus.Revoked
                        ? $"Release {releaseId} was revoked: {release.RevokedReason}"
                        : release.ClosedOutAt is { } closed ? $"Release {releaseId} was closed out by its requester at {closed:u}."
                        : $"Release {releaseId} expired at {release.ExpiresAt:u}.")
                    : ReleaseErrors.NotPublished(releaseId, release.Status));
            var artifact = release.Artifacts.FirstOrDefault(a => a.Name == artifactName)
                ?? throw new RequestRefusedException(ReleaseErrors.NoArtifact(releaseId, artifactName, release.Artifacts.Select(a => a.Name)));
            // The requester downloads only under the current data-use agreement (ADR 0055); staff download as reviewers.
            if (release.RequesterId == actorId
                && await AgreementStatus.LoadAsync(store, release.RequestId, release.DatasetId, ct) is { MustAccept: true, Current: { } current })
                throw new RequestRefusedException(AgreementErrors.NotAccepted(releaseId, release.RequestId, current));
            try
            {
                await using var session = store.OpenSession(metadata);
                session.Append(releaseId, release.Version, new ReleaseArtifactDownloaded(releaseId, artifact.Name, artifact.Sha256, actorId, metadata.ActorRole, now));
                await session.SaveChangesAsync(ct);
                return artifact;
            }
            catch (StreamVersionConflictException) when (attempt < Attempts)
            {
                // Another download (or a revocation) landed first: check availability again.
            }
        }
    }

    /// <summary>
    /// Records that the actor reads the attempt's evaluation report (<paramref name="html"/> or JSON) and returns it. Only inside
    /// the boundary (<see cref="MayReadEvaluation"/>); to anyone else the attempt's report does not exist (not found), on every route.
    /// </summary>
    public async Task<ReleaseArtifact> RecordEvaluationViewAsync(Guid releaseId, bool html, string via, string actorId, IReadOnlySet<string> roles,
        EventMetadata metadata, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var release = await store.LoadAsync<ReleaseDetails>(releaseId, ct);
            if (release is null || !MayReadEvaluation(roles) || await ReleaseQueries.EvaluationAsync(store, releaseId, ct) is not { } evaluation)
                throw new RequestRefusedException(ReleaseErrors.ReleaseNotFound(releaseId));
            var report = html ? evaluation.ReportHtml : evaluation.ReportJson;
            try
            {
                await using var session = store.OpenSession(metadata);
                session.Append(releaseId, release.Version, new EvaluationReportViewed(releaseId, report.Name, via, actorId, metadata.ActorRole, time.GetUtcNow()));
                await session.SaveChangesAsync(ct);
                return report;
            }
            catch (StreamVersionConflictException) when (attempt < Attempts)
            {
                // Another event landed on the attempt first: look again.
            }
        }
    }

    /// <summary>Revokes a published release: downloads stop; the request moves to Revoked. Who may revoke is the workflow's rule.</summary>
    public Task<ReleaseDetails> RevokeAsync(Guid releaseId, string reason, Actor actor, EventMetadata metadata, CancellationToken ct) =>
        EndAsync(releaseId, WorkflowTriggers.Revoke, actor, metadata, now => new ReleaseRevoked(releaseId, reason, actor.Id, now), $"revoked: {reason}", ct);

    /// <summary>Expires every published release past its expiry (the recurring sweep); returns how many.</summary>
    public async Task<int> ExpireDueAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var due = (await store.QueryAsync<ReleaseDetails>(ReleaseQueries.ByStatus, [ReleaseStatus.Published], ct)).Where(r => r.ExpiresAt <= now).ToList();
        var system = Actor.Of(ReleasePipeline.SystemActorId, WorkflowRoles.System);
        foreach (var release in due)
        {
            try
            {
                await EndAsync(release.Id, WorkflowTriggers.Expire, system, new EventMetadata(ReleasePipeline.SystemActorId, WorkflowRoles.System, $"expire-{release.Id:N}"),
                    at => new ReleaseExpired(release.Id, at), $"expired at {release.ExpiresAt:u}", ct);
            }
            catch (Exception e) when (e is RequestRefusedException or StreamVersionConflictException)
            {
                // Revoked or expired by someone else meanwhile.
            }
        }
        return due.Count;
    }

    private async Task<ReleaseDetails> EndAsync(Guid releaseId, string trigger, Actor actor, EventMetadata metadata, Func<DateTimeOffset, object> ended,
        string reason, CancellationToken ct)
    {
        var release = await GetAsync(releaseId, ct);
        if (release.Status != ReleaseStatus.Published)
            throw new RequestRefusedException(ReleaseErrors.NotPublished(releaseId, release.Status));
        var request = await AccessRequestStream.LoadAsync(store, release.RequestId, ct);
        var now = time.GetUtcNow();
        var advanced = AdvanceAccessRequestDecider.Handle(request, new AdvanceAccessRequest(request.Id, trigger, $"release {releaseId} {reason}", actor, now),
            workflows.Get(request.Workflow), (await CommitteeRoster.LoadAsync(store, ct)).For(request.CommitteeId));
        await using (var session = store.OpenSession(metadata))
        {
            session.Append(releaseId, release.Version, ended(now));
            AdvanceAccessRequestHandler.Stage(session, request, advanced);
            await session.SaveChangesAsync(ct);
        }
        return await GetAsync(releaseId, ct);
    }
}
