using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.Committees;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Requests.Notifications;

/// <summary>
/// One notification: an event told to one person. <see cref="Key"/> (event position and recipient) is the outbox's unique key,
/// so an event reaches each recipient once however often the log is read again (ADR 0049).
/// </summary>
/// <param name="Position">The event's global position in the log.</param>
/// <param name="RecipientId">The person's stable id (never an e-mail; the address is looked up when sending).</param>
/// <param name="Link">A path in the web UI, relative to the gateway's base address.</param>
public sealed record NotificationItem(long Position, Guid RequestId, string RecipientId, string Subject, string Body, string Link, DateTimeOffset At)
{
    public string Key => $"{Position}:{RecipientId}";
}

/// <summary>What the rules need to know about the request an event belongs to, read from the projections at dispatch time.</summary>
/// <param name="Stewards">Ids of the dataset's data stewards (who registered it).</param>
public sealed record NotificationSubject(Guid RequestId, string Title, string RequesterId, IReadOnlyList<string> Stewards, RequestCommittee Committee);

/// <summary>
/// Which events notify whom, with what text. The requester's texts follow the trust boundary (docs/privacy.md): they name
/// the request (the requester's own title), the state it entered and a link, never a reason, a gate value, a count or any
/// other figure from the real data, because a pipeline reason (a blocked gate) can carry them. Staff texts may say more,
/// but carry no figures either: the link leads to the page that checks who may see what.
/// </summary>
public static class NotificationRules
{
    /// <summary>
    /// The notifications of <paramref name="e"/>; none for events that notify nobody. <paramref name="roleHolders"/> resolves
    /// the default committee (every holder of the CommitteeMember role, ADR 0047); a named committee's are its members.
    /// The actor who caused the event is never told about it.
    /// </summary>
    public static IReadOnlyList<NotificationItem> Derive(StoredEvent e, NotificationSubject subject, Func<string, IReadOnlyList<string>> roleHolders)
    {
        var link = $"/ui/requests/{subject.RequestId}";
        var title = subject.Title;
        var (recipients, subjectLine, body) = e.Data switch
        {
            AccessRequestSubmitted => (Staff(subject.Stewards, subject), $"New access request to screen: {title}", "A new access request awaits screening."),
            AccessRequestResubmitted r when r.State == "Screening" =>
                (Staff(subject.Stewards, subject), $"Access request resubmitted: {title}", "A revised access request awaits screening."),
            AccessRequestResubmitted r => (CommitteeOf(subject, roleHolders), $"Access request resubmitted: {title}", $"A revised access request awaits your committee ({r.State})."),
            AccessRequestAcceptedForReview r => (CommitteeOf(subject, roleHolders), $"Access request awaits your vote: {title}", $"An access request awaits your committee's vote ({r.State})."),
            AccessRequestAdvanced { State: "Blocked" } =>
                (CommitteeOf(subject, roleHolders).Concat([subject.RequesterId]).ToList(), $"Access request blocked: {title}", "The request is blocked and awaits the committee's decision."),
            AccessRequestAdvanced r when RequesterStates.Contains(r.State) =>
                ([subject.RequesterId], $"Access request {Words(r.State)}: {title}", $"Your access request is now {Words(r.State)}."),
            AccessRequestChangesRequested => ([subject.RequesterId], $"Changes requested: {title}", "The reviewers ask you to revise your access request."),
            AccessRequestApproved => ([subject.RequesterId], $"Access request approved: {title}", "Your access request was approved."),
            AccessRequestRejected => ([subject.RequesterId], $"Access request rejected: {title}", "Your access request was rejected."),
            IRequestNotice { ToCommittee: true } n => (CommitteeOf(subject, roleHolders), $"{n.Headline}: {title}", n.Body),
            IRequestNotice n => ([subject.RequesterId], $"{n.Headline}: {title}", n.Body),
            _ => ((IReadOnlyList<string>)[], "", ""),
        };
        return recipients.Where(r => r != e.Metadata.ActorId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(r => new NotificationItem(e.Position, subject.RequestId, r, subjectLine, body, link, e.Timestamp)).ToList();
    }

    /// <summary>The pipeline's states the requester hears of (Blocked is told to the committee and the requester together).</summary>
    private static readonly IReadOnlySet<string> RequesterStates = new HashSet<string>(StringComparer.Ordinal) { "Released", "Revoked", "Expired" };

    /// <summary>The committee deciding the request, without its requester (recused by separation of duties, and told as the requester).</summary>
    private static IReadOnlyList<string> CommitteeOf(NotificationSubject subject, Func<string, IReadOnlyList<string>> roleHolders) =>
        (subject.Committee.Members is { } members ? [.. members] : roleHolders(WorkflowRoles.CommitteeMember))
            .Where(m => m != subject.RequesterId).ToList();

    private static IReadOnlyList<string> Staff(IReadOnlyList<string> ids, NotificationSubject subject) =>
        ids.Where(i => i != subject.RequesterId).ToList();

    private static string Words(string state) => state switch
    {
        "Released" => "released",
        "Revoked" => "revoked",
        "Expired" => "expired",
        _ => state,
    };
}
