using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Requests.Committees;

/// <summary>
/// The committee that decides a request, as the workflow asks about it: who sits on it, and the quorum and recusal rule it
/// votes by. <see cref="Default"/> is the one committee every store had before committees were named (ADR 0047): every
/// holder of the CommitteeMember role sits on it, and it votes by the workflow's quorum over the workflow's seats.
/// </summary>
/// <param name="Id">The committee's id; null for the default committee.</param>
/// <param name="Members">Ids of the members; null for the default committee (the role decides).</param>
/// <param name="Quorum">The committee's own quorum, replacing the workflow state's; null keeps the workflow's.</param>
public sealed record RequestCommittee(Guid? Id, string Name, IReadOnlySet<string>? Members, QuorumRule? Quorum, string Recusal)
{
    public const string DefaultName = "default";

    public static RequestCommittee Default { get; } = new(null, DefaultName, null, null, RecusalRules.ReducesSeats);

    public static RequestCommittee Of(CommitteeDetails committee) =>
        new(committee.Id, committee.Name, committee.Members.Select(m => m.Id).ToHashSet(StringComparer.Ordinal), committee.Quorum, committee.Recusal);

    /// <summary>
    /// Whether <paramref name="actor"/> sits on this committee: they hold the CommitteeMember role (revoking it still ends
    /// everything at once, ADR 0029) and, for a named committee, are one of its members.
    /// </summary>
    public bool Includes(Actor actor) => actor.IsIn(WorkflowRoles.CommitteeMember) && (Members is null || Members.Contains(actor.Id));

    /// <summary>The members a majority is counted over: the committee's own, or the workflow's seats for the default committee.</summary>
    public int Seats(int workflowSeats) => Members?.Count ?? workflowSeats;

    /// <summary>The thresholds of a vote in a state whose workflow quorum is <paramref name="stateQuorum"/>.</summary>
    public (int Approvals, int Rejections) Thresholds(QuorumRule stateQuorum, int workflowSeats, int recused) =>
        (Quorum ?? stateQuorum).Thresholds(Seats(workflowSeats), Recusal == RecusalRules.KeepsSeats ? 0 : recused);

    /// <summary>
    /// Whether a full committee can decide a request under <paramref name="workflow"/>: enough members for the approvals of
    /// every voting state (a majority is always reachable by a committee with at least one member).
    /// </summary>
    public bool CanReachQuorum(WorkflowDefinition workflow) => Members is null ||
        (Members.Count > 0 && workflow.States.Where(s => s.Quorum is not null)
            .All(s => Thresholds(s.Quorum!, workflow.CommitteeSeats, 0).Approvals <= Members.Count));
}

/// <summary>
/// Every committee as stored, read once per command or page: the one place that answers "which committee decides this
/// request, and does this person sit on it" (ADR 0047). Committees are few; their members change rarely.
/// </summary>
public sealed class CommitteeRoster(IReadOnlyDictionary<Guid, CommitteeDetails> committees)
{
    public static async Task<CommitteeRoster> LoadAsync(IEventStore store, CancellationToken ct) =>
        new((await store.QueryAsync<CommitteeDetails>(ct)).ToDictionary(c => c.Id));

    public IReadOnlyCollection<CommitteeDetails> All => [.. committees.Values];

    /// <summary>The committee with <paramref name="id"/>; the default committee for null (requests and datasets from before committees).</summary>
    public RequestCommittee For(Guid? id) => id is { } g
        ? committees.TryGetValue(g, out var c) ? RequestCommittee.Of(c) : throw new InvalidOperationException($"Committee {g} is not in the store.")
        : RequestCommittee.Default;

    /// <summary>
    /// Whether <paramref name="actor"/> may see a request that <paramref name="committeeId"/> decides, besides its requester:
    /// compliance officers and data stewards see every request; a committee member only those of a committee they sit on,
    /// so a member of no committee sees none.
    /// </summary>
    public bool MaySeeAsStaff(Actor actor, Guid? committeeId) =>
        actor.IsIn(WorkflowRoles.ComplianceOfficer) || actor.IsIn(WorkflowRoles.DataSteward) || For(committeeId).Includes(actor);

    /// <summary>The committees <paramref name="actor"/> sits on (named ones; the default committee is every role holder).</summary>
    public IReadOnlyList<CommitteeDetails> Of(Actor actor) => committees.Values.Where(c => c.HasMember(actor.Id)).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
}
