using System.Text.Json.Serialization;
using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Evaluation.Gates;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Datasets.Schema;

namespace ReleaseGateway.Releases.Pipeline;

// Events of a release stream (one per attempt: id from ReleaseIds.For). Every step of the pipeline is one of
// these, committed atomically with the request's own step (AccessRequestAdvanced) and, at the start, the budget
// charge. The attempt's secret key is never recorded (see ReleaseGenerationStarted).

/// <summary>An artifact of a release: its name in the download URL, content hash, size and media type.</summary>
public sealed record ReleaseArtifact(string Name, string Sha256, long Bytes, string MediaType);

/// <summary>
/// Generation started and the budget was charged in the same commit. Public configuration only: the privacy unit
/// (<c>PrivacyUnit</c>: "person" or "row"), the most rows per person (<c>MaxRowsPerPerson</c>, k) and the release checks'
/// ε (<c>GateEpsilon</c>); <c>SeedCommitment</c> is a blinded commitment to the attempt's secret key (ADR 0022), which is
/// kept encrypted in the gateway's data folder: the key drives the noise, the split and the bounding, and publishing it
/// would let anyone subtract the noise. Events written before issue 14 carry a public <c>SplitSeed</c> and
/// <c>EvaluationSeed</c> and no unit (they were row-level, k = 1, without DP release checks); new ones carry no seed.
/// </summary>
public sealed record ReleaseGenerationStarted(
    Guid ReleaseId, Guid RequestId, Guid DatasetId, string DatasetName, string RequesterId, int Attempt,
    string Generator, string GeneratorVersion, double Epsilon, double Delta, int Rows, IReadOnlyList<string> Columns,
    double HoldoutFraction,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? SplitSeed,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? EvaluationSeed,
    string SeedCommitment, IReadOnlyList<string> Approvers, int AccessDays, DateTimeOffset StartedAt,
    string? PrivacyUnit = null, int? MaxRowsPerPerson = null, double? GateEpsilon = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? BinningShare = null)
{
    /// <summary>
    /// How the release's (ε, δ) is divided (<see cref="ReleaseBudgetPlan"/>); legacy attempts: per row, k = 1, no release checks.
    /// <c>BinningShare</c> (absent when the attempt's columns need no DP bins) is the share of ρ − ρ_gates the DP quantiles take (ADR 0037).
    /// </summary>
    public ReleaseBudgetPlan BudgetPlan() => ReleaseBudgetPlan.Create(Epsilon, Delta, GateEpsilon ?? 0, MaxRowsPerPerson ?? 1,
        PrivacyUnit == ReleaseBudgetPlan.PersonUnit, BinningShare ?? 0);
}

/// <summary>
/// The bin edges of the attempt's bounds-only numeric columns, placed by DP quantiles over the training rows at the plan's
/// binning slice (ADR 0037): <c>Rho</c> per unit in all, <c>EpsilonPerQuantile</c> for each quantile. The edges are DP
/// output, public like the schema: generation decoded with them, evaluation encodes the holdout with them, the release's
/// codebook shows them. Recorded in the commit that records the synthetic table.
/// </summary>
public sealed record ReleaseBinsPlaced(Guid ReleaseId, IReadOnlyDictionary<string, IReadOnlyList<double>> Edges, double Rho, double EpsilonPerQuantile,
    DateTimeOffset PlacedAt)
{
    /// <summary>The attempt's schema with the recorded edges filled in; unchanged when <paramref name="bins"/> is null (no DP bins).</summary>
    public static DatasetSchema Apply(DatasetSchema schema, ReleaseBinsPlaced? bins)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var resolved = bins is null ? schema : schema.WithBinEdges(bins.Edges.Where(e => schema.Find(e.Key) is not null).ToDictionary(e => e.Key, e => e.Value));
        if (resolved.SynthesisColumns.FirstOrDefault(c => c.NeedsDpBins) is { } missing)
            throw new InvalidOperationException($"column '{missing.Name}' needs DP bins and the attempt recorded none; nothing is derived from the data without its charge");
        return resolved;
    }

    /// <summary>The recorded edges of a release stream, if any.</summary>
    public static ReleaseBinsPlaced? Of(IEnumerable<object?> releaseEvents) => releaseEvents.OfType<ReleaseBinsPlaced>().SingleOrDefault();
}

/// <summary>The source table was split; only counts are recorded.</summary>
public sealed record ReleaseSplitRecorded(Guid ReleaseId, int TrainRows, int HoldoutRows, string SourceSha256, DateTimeOffset RecordedAt);

/// <summary>
/// The synthetic table was stored (not yet downloadable): <c>Table</c> (CSV) is what evaluation reads; <c>Formats</c>
/// holds the same values in other formats (Parquet), released beside it (absent on releases generated before there
/// were any); <c>Cost</c> is what the ledger was charged; <c>Measurements</c> (internal, never released) holds the
/// synthesizer's noisy marginals the release report compares the table with (absent before release reports existed).
/// </summary>
public sealed record SyntheticTableGenerated(Guid ReleaseId, ReleaseArtifact Table, int Rows, PrivacyCost Cost, double EpsilonSpentAfter, DateTimeOffset GeneratedAt,
    IReadOnlyList<ReleaseArtifact>? Formats = null, ReleaseArtifact? Measurements = null);

/// <summary>
/// One gate's outcome, as the committee sees it. The status is stored by name ("Pass", "Fail", "NotApplicable"). Estimate,
/// Lower and Upper are the point estimate behind the value and its 95 % interval (absent in events before they existed).
/// </summary>
public sealed record GateOutcome(string Name, [property: JsonConverter(typeof(JsonStringEnumConverter<GateStatus>))] GateStatus Status, double? Value,
    double Threshold, string Comparison, string Detail, double? Estimate = null, double? Lower = null, double? Upper = null);

/// <summary>Every mandatory evaluator ran (or failed closed); the reports are stored.</summary>
public sealed record ReleaseEvaluated(Guid ReleaseId, bool Passed, IReadOnlyList<GateOutcome> Gates, IReadOnlyList<string> Errors,
    ReleaseArtifact ReportJson, ReleaseArtifact ReportHtml, double DurationSeconds, DateTimeOffset EvaluatedAt);

/// <summary>The attempt stopped before publication: a gate failed, generation failed, or a job was interrupted. The charge stays.</summary>
public sealed record ReleaseBlocked(Guid ReleaseId, string Step, string Reason, DateTimeOffset BlockedAt);

/// <summary>Published: every artifact's hash (the manifest's too) is on the record; downloads open until <c>ExpiresAt</c>.</summary>
public sealed record ReleasePublished(Guid ReleaseId, ReleaseArtifact Manifest, ReleaseArtifact Signature, IReadOnlyList<ReleaseArtifact> Artifacts,
    string SigningKeyId, DateTimeOffset ExpiresAt, DateTimeOffset PublishedAt);

public sealed record ReleaseArtifactDownloaded(Guid ReleaseId, string Artifact, string Sha256, string DownloadedBy, string Role, DateTimeOffset DownloadedAt);

/// <summary>
/// Someone inside the trust boundary read the committee's evaluation report (real-data attacks and fidelity) of the attempt:
/// which file, through which route (web, api, cli), who, in which role and when. Every view is one of these (docs/privacy.md).
/// </summary>
public sealed record EvaluationReportViewed(Guid ReleaseId, string Report, string Via, string ViewedBy, string Role, DateTimeOffset ViewedAt);

public sealed record ReleaseRevoked(Guid ReleaseId, string Reason, string RevokedBy, DateTimeOffset RevokedAt);

public sealed record ReleaseExpired(Guid ReleaseId, DateTimeOffset ExpiredAt);

/// <summary>
/// The requester's close-out note (a DUOS-style progress report) for the release: what was done with it, that copies were
/// deleted. Ends the requester's access if it had not ended yet (ADR 0055); the committee reads it on the release page.
/// </summary>
public sealed record ReleaseClosedOut(Guid ReleaseId, Guid RequestId, string Note, string ClosedOutBy, DateTimeOffset ClosedOutAt)
    : Requests.Notifications.IRequestNotice
{
    bool Requests.Notifications.IRequestNotice.ToCommittee => true;

    string Requests.Notifications.IRequestNotice.Headline => "Release closed out";

    string Requests.Notifications.IRequestNotice.Body => "The requester filed the close-out note of a release; read it on the release page.";
}

/// <summary>
/// A GA4GH Passport <c>ControlledAccessGrants</c> visa was issued to the requester for the release (ADR 0056): its <c>jti</c> and
/// <c>exp</c> (never past the release's access end), the key id it was signed with. The token itself is not stored.
/// </summary>
public sealed record ReleaseVisaIssued(Guid ReleaseId, string VisaId, string IssuedTo, string KeyId, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt);

public static class ReleaseEventTypes
{
    public static readonly IReadOnlyList<Type> All =
    [
        typeof(ReleaseGenerationStarted), typeof(ReleaseSplitRecorded), typeof(SyntheticTableGenerated),
        typeof(ReleaseEvaluated), typeof(ReleaseBlocked), typeof(ReleasePublished), typeof(ReleaseArtifactDownloaded),
        typeof(ReleaseRevoked), typeof(ReleaseExpired), typeof(EvaluationReportViewed), typeof(ReleaseBinsPlaced),
        typeof(ReleaseClosedOut), typeof(ReleaseVisaIssued),
    ];
}
