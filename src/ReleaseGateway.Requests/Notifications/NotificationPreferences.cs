using ReleaseGateway.EventStore;

namespace ReleaseGateway.Requests.Notifications;

public static class DeliveryModes
{
    public const string Immediate = "immediate";
    public const string Daily = "daily";
}

/// <summary>A person's choice of how they hear of notifications; the items are listed in the web whatever they choose.</summary>
/// <param name="Delivery"><see cref="DeliveryModes.Immediate"/> (one e-mail per item) or <see cref="DeliveryModes.Daily"/> (one digest per day).</param>
public sealed record NotificationPreferencesSet(string UserId, bool Email, string Delivery, DateTimeOffset SetAt);

public sealed record NotificationPreferences(Guid Id, string UserId, bool Email, string Delivery, long Version)
{
    /// <summary>Without a choice: e-mail, at once.</summary>
    public static NotificationPreferences Default(string userId) => new(StreamOf(userId), userId, true, DeliveryModes.Immediate, 0);

    public static Guid StreamOf(string userId) => NotificationOutbox.StreamOf("preferences:" + userId);
}

public sealed class NotificationPreferencesProjection : SingleStreamProjection<NotificationPreferences>
{
    public override NotificationPreferences? Apply(NotificationPreferences? current, StoredEvent @event) => @event.Data switch
    {
        NotificationPreferencesSet s => new NotificationPreferences(@event.StreamId, s.UserId, s.Email, s.Delivery, @event.StreamVersion),
        _ => current,
    };
}
