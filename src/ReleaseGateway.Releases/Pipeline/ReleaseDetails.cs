using ReleaseGateway.EventStore;

namespace ReleaseGateway.Releases.Pipeline;

public static class ReleaseStatus
{
    public const string Generating = "Generating";
    public const string Evaluating = "Evaluating";
    public const string AwaitingPublication = "AwaitingPublication";
    public const string Blocked = "Blocked";
    public const string Published = "Published";
    public const string Revoked = "Revoked";
    public const string Expired = "Expired";
}

/// <summary>The pipeline's steps, as its events (<see cref="ReleaseBlocked"/>), progress and read model name them.</summary>
public static class ReleaseSteps
{
    public const string Generate = "generate";
    public const string Evaluate = "evaluate";
    public const string Publish = "publish";
}

public sealed record ReleaseDownload(string Artifact, string By, string Role, DateTimeOffset At);

/// <summary>Read model of one release attempt: where it is, how far along, what it produced and who downloaded it.</summary>
public sealed record ReleaseDetails(
    Guid Id,
    Guid RequestId,
    Guid DatasetId,
    string DatasetName,
    string RequesterId,
    int Attempt,
    string Generator,
    double Epsilon,
    double Delta,
    int Rows,
    IReadOnlyList<string> Columns,
    IReadOnlyList<string> Approvers,
    string Status,
    string Step,
    int Percent,
    string Stage,
    double? EpsilonSpentAfter,
    bool? Passed,
    IReadOnlyList<GateOutcome> Gates,
    IReadOnlyList<string> EvaluationErrors,
    string? BlockedReason,
    IReadOnlyList<ReleaseArtifact> Artifacts,
    DateTimeOffset StartedAt,
    DateTimeOffset? PublishedAt,
    DateTimeOffset? ExpiresAt,
    string? RevokedReason,
    IReadOnlyList<ReleaseDownload> Downloads,
    long Version,
    DateTimeOffset? ClosedOutAt = null,
    string? CloseOutNote = null)
{
    /// <summary>
    /// Downloadable now: published, not revoked, not past its expiry (checked against the clock, not only the sweep), not closed
    /// out (a close-out ends the requester's access early, ADR 0055).
    /// </summary>
    public bool IsAvailable(DateTimeOffset now) => Status == ReleaseStatus.Published && ExpiresAt > now && ClosedOutAt is null;

    /// <summary>The access period is over: revoked, expired (by the sweep or the clock) or closed out.</summary>
    public bool AccessEnded(DateTimeOffset now) =>
        Status is ReleaseStatus.Revoked or ReleaseStatus.Expired || (Status == ReleaseStatus.Published && (ExpiresAt <= now || ClosedOutAt is not null));

    /// <summary>
    /// Published before the privacy boundary (ADR 0027): its files include the committee's evaluation report (exact statistics
    /// of the real table) and a format-1 manifest with gate values and seeds. Flagged on every view; staff may revoke it.
    /// </summary>
    public bool CarriesRealDataStatistics => Artifacts.Any(a => a.Name is ReleaseEvaluation.ReportJsonName or ReleaseEvaluation.ReportHtmlName);
}

public sealed class ReleaseDetailsProjection : SingleStreamProjection<ReleaseDetails>
{
    public override ReleaseDetails? Apply(ReleaseDetails? current, StoredEvent @event)
    {
        if (@event.Data is ReleaseGenerationStarted s)
            return new ReleaseDetails(s.ReleaseId, s.RequestId, s.DatasetId, s.DatasetName, s.RequesterId, s.Attempt, s.Generator, s.Epsilon, s.Delta,
                s.Rows, s.Columns, s.Approvers, ReleaseStatus.Generating, ReleaseSteps.Generate, 0, "started", null, null, [], [], null, [], s.StartedAt, null, null, null, [],
                @event.StreamVersion);
        if (current is null) return null;
        var next = @event.Data switch
        {
            SyntheticTableGenerated g => current with
            {
                Status = ReleaseStatus.Evaluating, Step = ReleaseSteps.Evaluate, Percent = 0, Stage = "queued", EpsilonSpentAfter = g.EpsilonSpentAfter,
            },
            ReleaseEvaluated e => current with
            {
                Status = e.Passed ? ReleaseStatus.AwaitingPublication : current.Status, Passed = e.Passed, Gates = e.Gates, EvaluationErrors = e.Errors,
                Step = ReleaseSteps.Publish, Percent = e.Passed ? 0 : 100, Stage = e.Passed ? "awaiting publication" : "gates failed",
            },
            ReleaseBlocked b => current with { Status = ReleaseStatus.Blocked, BlockedReason = b.Reason, Stage = "blocked" },
            ReleasePublished p => current with
            {
                Status = ReleaseStatus.Published, Artifacts = [.. p.Artifacts, p.Manifest, p.Signature], PublishedAt = p.PublishedAt, ExpiresAt = p.ExpiresAt,
                Step = ReleaseSteps.Publish, Percent = 100, Stage = "published",
            },
            ReleaseArtifactDownloaded d => current with { Downloads = [.. current.Downloads, new ReleaseDownload(d.Artifact, d.DownloadedBy, d.Role, d.DownloadedAt)] },
            ReleaseRevoked r => current with { Status = ReleaseStatus.Revoked, RevokedReason = r.Reason },
            ReleaseExpired => current with { Status = ReleaseStatus.Expired },
            ReleaseClosedOut c => current with { ClosedOutAt = c.ClosedOutAt, CloseOutNote = c.Note },
            _ => current,
        };
        return next with { Version = @event.StreamVersion };
    }
}
