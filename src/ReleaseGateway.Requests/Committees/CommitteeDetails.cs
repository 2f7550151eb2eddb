using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Requests.Committees;

/// <summary>One seat on a committee.</summary>
public sealed record CommitteeMember(string Id, bool Chair, DateTimeOffset Since);

/// <summary>Read model of a committee (also the state its deciders use).</summary>
public sealed record CommitteeDetails(
    Guid Id,
    string Name,
    string Description,
    QuorumRule? Quorum,
    string Recusal,
    IReadOnlyList<CommitteeMember> Members,
    string FormedBy,
    DateTimeOffset FormedAt,
    long Version)
{
    public bool HasMember(string id) => Members.Any(m => m.Id == id);

    public bool HasChair(string id) => Members.Any(m => m.Id == id && m.Chair);

    public static CommitteeDetails? Evolve(CommitteeDetails? current, object @event) => @event switch
    {
        CommitteeFormed e => new CommitteeDetails(e.CommitteeId, e.Name, e.Description, e.Quorum, e.Recusal, [], e.FormedBy, e.FormedAt, 1),
        CommitteeMemberAdded e when current is not null => current with
        {
            Members = [.. current.Members.Where(m => m.Id != e.MemberId), new CommitteeMember(e.MemberId, e.Chair, e.AddedAt)],
            Version = current.Version + 1,
        },
        CommitteeMemberRemoved e when current is not null => current with
        {
            Members = current.Members.Where(m => m.Id != e.MemberId).ToList(),
            Version = current.Version + 1,
        },
        _ when current is not null => current with { Version = current.Version + 1 },
        _ => current,
    };
}

public sealed class CommitteeDetailsProjection : SingleStreamProjection<CommitteeDetails>
{
    public override CommitteeDetails? Apply(CommitteeDetails? current, StoredEvent @event) =>
        @event.Data is { } data ? CommitteeDetails.Evolve(current, data) : current;
}
