using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Requests.Committees;

// Events of a committee's stream (ADR 0047). Members are user ids, never names or e-mail addresses.

/// <summary>
/// An administrator formed a data-access committee. <c>Quorum</c>, when set, replaces the workflow's quorum in every voting
/// state for requests this committee decides (the workflow keeps defining the steps); <c>Recusal</c> says whether a recused
/// member leaves the count a majority is taken over (<see cref="RecusalRules"/>).
/// </summary>
public sealed record CommitteeFormed(Guid CommitteeId, string Name, string Description, QuorumRule? Quorum, string Recusal, string FormedBy,
    DateTimeOffset FormedAt);

/// <summary>A person joined the committee (as a chair, or an ordinary member).</summary>
public sealed record CommitteeMemberAdded(Guid CommitteeId, string MemberId, bool Chair, string AddedBy, DateTimeOffset AddedAt);

/// <summary>A person left the committee: from now on they see and decide none of its requests.</summary>
public sealed record CommitteeMemberRemoved(Guid CommitteeId, string MemberId, string RemovedBy, DateTimeOffset RemovedAt);

/// <summary>Claims a committee name (stream id derived from the name) so two committees cannot share one.</summary>
public sealed record CommitteeNameClaimed(string Name, Guid CommitteeId, string ClaimedBy, DateTimeOffset ClaimedAt);

/// <summary>How a declared conflict of interest affects a majority quorum.</summary>
public static class RecusalRules
{
    /// <summary>A recused member leaves the count: a majority is taken over the members not recused (the default).</summary>
    public const string ReducesSeats = "reduces-seats";

    /// <summary>A recused member still counts: a majority is taken over the whole committee (a recusal weighs like a missing approval).</summary>
    public const string KeepsSeats = "keeps-seats";

    public static readonly IReadOnlyList<string> All = [ReducesSeats, KeepsSeats];
}

public static class CommitteeEventTypes
{
    public static readonly IReadOnlyList<Type> All =
        [typeof(CommitteeFormed), typeof(CommitteeMemberAdded), typeof(CommitteeMemberRemoved), typeof(CommitteeNameClaimed)];
}
