using ReleaseGateway.Problems;

namespace ReleaseGateway.Requests.Workflows;

/// <summary>What an actor wants to do to a request that separation of duties constrains.</summary>
public enum Duty
{
    /// <summary>Vote approve/reject, or ask for changes, as a committee member.</summary>
    Vote,

    /// <summary>Sign off a release as a compliance officer (the second key of the two-key workflow).</summary>
    SignOff,

    /// <summary>Publish a release.</summary>
    Release,
}

/// <summary>The people involved in one request so far, as the workflow rebuilds them from its events.</summary>
/// <param name="RequesterId">Who submitted the request.</param>
/// <param name="VoterIds">Committee members who already voted.</param>
/// <param name="RecusedIds">Members who declared a conflict of interest.</param>
public sealed record DutyParticipants(Guid RequesterId, IReadOnlySet<Guid> VoterIds, IReadOnlySet<Guid> RecusedIds);

/// <summary>The verdict: allowed, or denied with the stable error code and a reason safe to show the actor.</summary>
public sealed record DutyDecision(bool IsAllowed, string? ErrorCode, string? Reason)
{
    public static DutyDecision Allowed { get; } = new(true, null, null);

    internal static DutyDecision Deny(string errorCode, string reason) => new(false, errorCode, reason);
}

/// <summary>
/// Separation of duties, one pure rule for every workflow (ADR 0012). The workflow calls it inside its guard
/// with the participants rebuilt from the request's events, so the rule sees exactly what the decision sees.
/// </summary>
public static class SeparationOfDuties
{
    /// <summary>
    /// May <paramref name="actorId"/> perform <paramref name="duty"/> on a request with these participants?
    /// The requester never votes on, signs off or releases their own request; nobody votes twice; a member who
    /// declared a conflict of interest is recused from every duty on that request; and whoever voted cannot also
    /// be the compliance key, or the two keys would be one person.
    /// </summary>
    public static DutyDecision Check(Guid actorId, Duty duty, DutyParticipants participants)
    {
        ArgumentNullException.ThrowIfNull(participants);
        if (actorId == participants.RequesterId)
            return DutyDecision.Deny(ErrorCodes.RequesterCannotDecide, "The requester cannot decide on or release their own request.");
        if (participants.RecusedIds.Contains(actorId))
            return DutyDecision.Deny(ErrorCodes.Recused, "You declared a conflict of interest for this request.");
        return duty switch
        {
            Duty.Vote when participants.VoterIds.Contains(actorId) =>
                DutyDecision.Deny(ErrorCodes.AlreadyVoted, "You have already voted on this request."),
            Duty.SignOff when participants.VoterIds.Contains(actorId) =>
                DutyDecision.Deny(ErrorCodes.TwoKeysNeedTwoPeople, "A committee member who voted cannot also give the compliance sign-off."),
            _ => DutyDecision.Allowed,
        };
    }
}
