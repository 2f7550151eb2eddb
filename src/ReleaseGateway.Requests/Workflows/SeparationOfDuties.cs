using ReleaseGateway.Problems;

namespace ReleaseGateway.Requests.Workflows;

/// <summary>The keys of a request that separation of duties keeps in different hands.</summary>
public enum Duty
{
    /// <summary>Screen the request as a data steward (accept it for review, or ask for changes before review).</summary>
    Screen,

    /// <summary>Vote approve/reject, ask for changes in review, or declare a conflict, as a committee member.</summary>
    Vote,

    /// <summary>Sign off a release, or refuse to, as a compliance officer (the second key of the two-key workflow).</summary>
    SignOff,

    /// <summary>Publish a release.</summary>
    Release,
}

/// <summary>The people involved in one request over its whole history, as the workflow rebuilds them from its events.</summary>
/// <param name="RequesterId">Who submitted the request.</param>
/// <param name="CurrentRoundVoterIds">Committee members who already voted in the current voting round.</param>
/// <param name="RecusedIds">Members who declared a conflict of interest.</param>
/// <param name="KeysTaken">Every key each person took on the request so far, in any round; roles do not enter, only acts.</param>
public sealed record DutyParticipants(
    Guid RequesterId,
    IReadOnlySet<Guid> CurrentRoundVoterIds,
    IReadOnlySet<Guid> RecusedIds,
    IReadOnlyDictionary<Guid, IReadOnlySet<Duty>> KeysTaken);

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
    /// The requester never screens, votes on, signs off or releases their own request; a member who declared a
    /// conflict of interest is recused from every duty on it; nobody votes twice in a round; and one person holds
    /// one key for the request's whole life: whoever screened, voted (in any round) or signed off takes no other
    /// key, whatever roles they hold or are granted later (issue 15, row 1).
    /// </summary>
    public static DutyDecision Check(Guid actorId, Duty duty, DutyParticipants participants)
    {
        ArgumentNullException.ThrowIfNull(participants);
        if (actorId == participants.RequesterId)
            return DutyDecision.Deny(ErrorCodes.RequesterCannotDecide, "The requester cannot decide on or release their own request.");
        if (participants.RecusedIds.Contains(actorId))
            return DutyDecision.Deny(ErrorCodes.Recused, "You declared a conflict of interest for this request.");
        if (duty == Duty.Vote && participants.CurrentRoundVoterIds.Contains(actorId))
            return DutyDecision.Deny(ErrorCodes.AlreadyVoted, "You have already voted on this request.");
        var otherKeys = participants.KeysTaken.GetValueOrDefault(actorId)?.Where(k => k != duty).Order().ToList() ?? [];
        if (otherKeys.Count > 0)
            return DutyDecision.Deny(ErrorCodes.TwoKeysNeedTwoPeople,
                $"You already {Describe(otherKeys[0])} this request; one person holds one key of it, so you cannot also {Verb(duty)}.");
        return DutyDecision.Allowed;
    }

    private static string Describe(Duty duty) => duty switch
    {
        Duty.Screen => "screened",
        Duty.Vote => "voted on",
        Duty.SignOff => "gave or refused the compliance sign-off of",
        _ => "released",
    };

    private static string Verb(Duty duty) => duty switch
    {
        Duty.Screen => "screen it",
        Duty.Vote => "vote on it",
        Duty.SignOff => "give or refuse its compliance sign-off",
        _ => "release it",
    };
}
