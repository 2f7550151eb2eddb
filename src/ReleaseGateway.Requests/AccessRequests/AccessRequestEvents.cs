using ReleaseGateway.Requests.Consent;
namespace ReleaseGateway.Requests.AccessRequests;

// Events of an access request stream. Each carries who (a stable id, never a name or e-mail) and when;
// those that move the request carry the state entered, so history replays without the YAML it was
// decided under. Registered with the event store in RequestsModule.

/// <summary>What the researcher asks for (<c>Use</c>: the purpose in DUO terms, required where the dataset carries consent terms); free text is the researcher's own description of the project.</summary>
public sealed record AccessRequestTerms(
    string Title,
    string Purpose,
    string Justification,
    string IntendedUse,
    IReadOnlyList<string> Columns,
    double Epsilon,
    int Rows,
    string? Generator,
    int AccessDays,
    DataUse? Use = null);

/// <param name="OptionalSteps">The workflow's optional steps the dataset's policy switched on at submission; fixed for the request's life.</param>
/// <param name="Consent">The request's use checked against the dataset's DUO consent terms, for the committee (null where it has none).</param>
/// <param name="CommitteeId">The committee that decides the request, the dataset's at submission (null: the default committee, ADR 0047).</param>
public sealed record AccessRequestSubmitted(
    Guid RequestId, Guid DatasetId, string Workflow, IReadOnlyList<string> OptionalSteps, string State, AccessRequestTerms Terms,
    string SubmittedBy, DateTimeOffset SubmittedAt, Guid? CommitteeId = null, ConsentCheck? Consent = null, string? Policy = null);

public sealed record AccessRequestAcceptedForReview(Guid RequestId, string State, string AcceptedBy, DateTimeOffset AcceptedAt);

public sealed record AccessRequestChangesRequested(Guid RequestId, string State, string Reason, string RequestedBy, DateTimeOffset RequestedAt);

/// <param name="Consent">The revised terms' use checked against the dataset's consent terms (null where it has none).</param>
public sealed record AccessRequestResubmitted(Guid RequestId, string State, AccessRequestTerms Terms, string ResubmittedBy, DateTimeOffset ResubmittedAt,
    ConsentCheck? Consent = null);

public sealed record AccessRequestWithdrawn(Guid RequestId, string FromState, string State, string WithdrawnBy, DateTimeOffset WithdrawnAt);

/// <summary>
/// One committee member's vote in the current voting round (<c>Decision</c> is <c>approve</c> or <c>reject</c>).
/// <c>Terms</c>, on an approval of a blocked request, are the parameters the member approves a regeneration with.
/// </summary>
public sealed record CommitteeVoteCast(Guid RequestId, string Decision, string Reason, string VotedBy, DateTimeOffset VotedAt,
    AccessRequestTerms? Terms = null);

public sealed record ConflictOfInterestDeclared(Guid RequestId, string DeclaredBy, DateTimeOffset DeclaredAt);

/// <summary>
/// The quorum was reached by <c>ApprovedBy</c>'s vote; <c>Approvers</c> lists every approving member of the round.
/// <c>Terms</c> replace the request's terms when the committee approved a regeneration with new parameters.
/// </summary>
public sealed record AccessRequestApproved(Guid RequestId, string State, IReadOnlyList<string> Approvers, string ApprovedBy, DateTimeOffset ApprovedAt,
    AccessRequestTerms? Terms = null);

public sealed record AccessRequestRejected(Guid RequestId, string State, IReadOnlyList<string> Rejecters, string RejectedBy, DateTimeOffset RejectedAt);

/// <summary>A step of the release pipeline (generation, evaluation, sign-off, publication, expiry, revocation) moved the request.</summary>
public sealed record AccessRequestAdvanced(Guid RequestId, string Trigger, string FromState, string State, string Reason, string AdvancedBy, DateTimeOffset AdvancedAt);

/// <summary>Records that an Idempotency-Key was used for a submission (stream id derived from the key; only its hash is stored).</summary>
public sealed record SubmissionKeyRecorded(string KeyHash, Guid RequestId, string TermsHash, string RecordedBy, DateTimeOffset RecordedAt);

public static class AccessRequestEventTypes
{
    public static readonly IReadOnlyList<Type> All =
    [
        typeof(AccessRequestSubmitted), typeof(AccessRequestAcceptedForReview), typeof(AccessRequestChangesRequested),
        typeof(AccessRequestResubmitted), typeof(AccessRequestWithdrawn), typeof(CommitteeVoteCast),
        typeof(ConflictOfInterestDeclared), typeof(AccessRequestApproved), typeof(AccessRequestRejected),
        typeof(AccessRequestAdvanced), typeof(SubmissionKeyRecorded),
    ];
}
