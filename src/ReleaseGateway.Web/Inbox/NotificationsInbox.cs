using ReleaseGateway.EventStore;
using ReleaseGateway.Requests;
using ReleaseGateway.Requests.Notifications;

namespace ReleaseGateway.Web.Inbox;

/// <summary>
/// The person's own notifications of the last <see cref="Days"/> days (the same items e-mail and <c>GET /notifications</c> carry,
/// ADR 0058), newest <see cref="Most"/> of them: a notification is news, not a task, so it leaves the inbox with time; every
/// one stays on the notifications page.
/// </summary>
public sealed class NotificationsInbox(IEventStore store, TimeProvider time) : IInboxSource
{
    public const int Days = 7;
    public const int Most = 20;

    public async Task<IReadOnlyList<InboxItem>> ItemsAsync(Actor actor, CancellationToken ct)
    {
        var since = time.GetUtcNow().AddDays(-Days);
        return (await NotificationQueries.InboxAsync(store, actor.Id, ct)).Where(n => n.At >= since).Take(Most)
            .Select(n => new InboxItem("notification", n.Subject, n.Body, n.Link, "Open", n.At)).ToList();
    }
}
