using ReleaseGateway.EventStore;

namespace ReleaseGateway.Requests.Notifications;

public static class DeliveryModes
{
    public const string Immediate = "immediate";
    public const string Daily = "daily";
}

/// <summary>A person's choice of how they hear of notifications; the items are listed in the web whatever they choose.</summary>
/// <param name="Delivery"><see cref="DeliveryModes.Immediate"/> (one e-mail per item) or <see cref="DeliveryModes.Daily"/> (one digest per day).</param>
/// <param name="EmailKinds">The <see cref="NotificationKinds"/> sent by e-mail; null: every kind (ADR 0058).</param>
public sealed record NotificationPreferencesSet(string UserId, bool Email, string Delivery, DateTimeOffset SetAt, IReadOnlyList<string>? EmailKinds = null);

public sealed record NotificationPreferences(Guid Id, string UserId, bool Email, string Delivery, long Version, IReadOnlyList<string>? EmailKinds = null)
{
    /// <summary>Without a choice: e-mail, at once, every kind.</summary>
    public static NotificationPreferences Default(string userId) => new(StreamOf(userId), userId, true, DeliveryModes.Immediate, 0);

    /// <summary>Whether an item of <paramref name="kind"/> goes out by e-mail (items from before kinds always do, as they did).</summary>
    public bool Emails(string? kind) => Email && (kind is null || EmailKinds is null || EmailKinds.Contains(kind, StringComparer.Ordinal));

    public static Guid StreamOf(string userId) => NotificationOutbox.StreamOf("preferences:" + userId);
}

public sealed class NotificationPreferencesProjection : SingleStreamProjection<NotificationPreferences>
{
    public override NotificationPreferences? Apply(NotificationPreferences? current, StoredEvent @event) => @event.Data switch
    {
        NotificationPreferencesSet s => new NotificationPreferences(@event.StreamId, s.UserId, s.Email, s.Delivery, @event.StreamVersion, s.EmailKinds),
        _ => current,
    };
}
