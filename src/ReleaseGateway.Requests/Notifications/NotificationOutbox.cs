using System.Security.Cryptography;
using System.Text;
using ReleaseGateway.EventStore;

namespace ReleaseGateway.Requests.Notifications;

// The outbox is a stream per (event, recipient), its id derived from the key: starting it twice is a version
// conflict, so an item is stored once however many dispatchers read the log (ADR 0049). Claims are appends at the
// stream's version, so of several gateway processes on one database exactly one wins each attempt.

public sealed record NotificationQueued(string Key, long Position, Guid RequestId, string RecipientId, string Subject, string Body, string Link, DateTimeOffset At,
    string? Kind = null);

/// <summary>A dispatcher took the item for one attempt until <c>LeaseUntil</c>; another may take it after that.</summary>
public sealed record NotificationClaimed(string Key, string Dispatcher, int Attempt, DateTimeOffset LeaseUntil);

public sealed record NotificationSent(string Key, int Attempt, DateTimeOffset SentAt);

/// <param name="Reason">The mail server's or the gateway's reason (never message content).</param>
public sealed record NotificationSendFailed(string Key, int Attempt, string Reason, DateTimeOffset RetryAt);

/// <summary>The recipient does not get this item by e-mail (no address, or e-mail switched off); it stays listed.</summary>
public sealed record NotificationSkipped(string Key, string Reason, DateTimeOffset SkippedAt);

public static class NotificationEventTypes
{
    public static readonly IReadOnlyList<Type> All =
        [typeof(NotificationQueued), typeof(NotificationClaimed), typeof(NotificationSent), typeof(NotificationSendFailed), typeof(NotificationSkipped)];
}

public static class NotificationStatus
{
    public const string Queued = "queued";
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
}

/// <summary>An outbox item as it stands.</summary>
public sealed record NotificationDetails(
    Guid Id, NotificationItem Item, string Status, int Attempts, DateTimeOffset? LeaseUntil, DateTimeOffset? RetryAt, DateTimeOffset? SentAt,
    string? LastReason, long Version)
{
    /// <summary>Whether a dispatcher may attempt it at <paramref name="now"/>.</summary>
    public bool IsDue(DateTimeOffset now, int maxAttempts) => Attempts < maxAttempts && Status switch
    {
        NotificationStatus.Queued => true,
        NotificationStatus.Failed => RetryAt <= now,
        NotificationStatus.Sending => LeaseUntil <= now,
        _ => false,
    };

    public static NotificationDetails? Evolve(NotificationDetails? d, object e, Guid id) => (d, e) switch
    {
        (null, NotificationQueued q) => new(id, new NotificationItem(q.Position, q.RequestId, q.RecipientId, q.Subject, q.Body, q.Link, q.At, q.Kind),
            NotificationStatus.Queued, 0, null, null, null, null, 1),
        ({ } x, NotificationClaimed c) => x with { Status = NotificationStatus.Sending, Attempts = c.Attempt, LeaseUntil = c.LeaseUntil, Version = x.Version + 1 },
        ({ } x, NotificationSent s) => x with { Status = NotificationStatus.Sent, SentAt = s.SentAt, LeaseUntil = null, Version = x.Version + 1 },
        ({ } x, NotificationSendFailed f) => x with { Status = NotificationStatus.Failed, RetryAt = f.RetryAt, LastReason = f.Reason, LeaseUntil = null, Version = x.Version + 1 },
        ({ } x, NotificationSkipped k) => x with { Status = NotificationStatus.Skipped, LastReason = k.Reason, LeaseUntil = null, Version = x.Version + 1 },
        _ => d,
    };
}

public sealed class NotificationDetailsProjection : SingleStreamProjection<NotificationDetails>
{
    public override NotificationDetails? Apply(NotificationDetails? current, StoredEvent @event) =>
        @event.Data is { } data ? NotificationDetails.Evolve(current, data, @event.StreamId) : current;
}

/// <summary>Stores, claims and settles outbox items, each step an event.</summary>
public sealed class NotificationOutbox(IEventStore store)
{
    public static Guid StreamOf(string key)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes("rgw-notification:" + key))[..16];
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x80); // version 8 (name-based, custom hash), RFC 9562
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    /// <summary>Stores <paramref name="item"/> unless it is stored already; true when this call stored it.</summary>
    public async Task<bool> EnqueueAsync(NotificationItem item, CancellationToken ct)
    {
        try
        {
            await using var session = store.OpenSession(EventMetadata.System("notifications"));
            session.StartStream(StreamOf(item.Key), new NotificationQueued(item.Key, item.Position, item.RequestId, item.RecipientId, item.Subject, item.Body, item.Link, item.At, item.Kind));
            await session.SaveChangesAsync(ct);
            return true;
        }
        catch (StreamVersionConflictException) { return false; }
    }

    /// <summary>Appends <paramref name="e"/> at the item's version; false when another dispatcher moved it first.</summary>
    public async Task<bool> TryAppendAsync(NotificationDetails item, object e, CancellationToken ct)
    {
        try
        {
            await using var session = store.OpenSession(EventMetadata.System("notifications"));
            session.Append(item.Id, item.Version, e);
            await session.SaveChangesAsync(ct);
            return true;
        }
        catch (StreamVersionConflictException) { return false; }
    }

    /// <summary>Every item of <paramref name="recipientId"/>, newest first: the notifications list and the home page's inbox.</summary>
    public async Task<IReadOnlyList<NotificationDetails>> OfAsync(string recipientId, CancellationToken ct) =>
        (await store.QueryAsync<NotificationDetails>(ct)).Where(n => n.Item.RecipientId == recipientId)
            .OrderByDescending(n => n.Item.Position).ThenBy(n => n.Item.Key, StringComparer.Ordinal).ToList();

    public async Task<IReadOnlyList<NotificationDetails>> AllAsync(CancellationToken ct) => await store.QueryAsync<NotificationDetails>(ct);
}
