using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using FluentValidation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.EventStore;

namespace ReleaseGateway.Requests.Notifications;

/// <summary>A person's notification, as their list and the home page's inbox show it.</summary>
public sealed record NotificationView(string Key, Guid RequestId, string Subject, string Body, string Link, DateTimeOffset At, string Status, string? Kind = null)
{
    public static NotificationView Of(NotificationDetails n) =>
        new(n.Item.Key, n.Item.RequestId, n.Item.Subject, n.Item.Body, n.Item.Link, n.Item.At, n.Status, n.Item.Kind);
}

/// <param name="Kinds">The kinds to receive by e-mail (<see cref="NotificationKinds"/>); null: every kind.</param>
public sealed record SetNotificationPreferences(bool Email, string Delivery, IReadOnlyList<string>? Kinds = null);

public sealed class SetNotificationPreferencesValidator : AbstractValidator<SetNotificationPreferences>
{
    public SetNotificationPreferencesValidator()
    {
        RuleFor(p => p.Delivery).Must(d => d is DeliveryModes.Immediate or DeliveryModes.Daily)
            .WithMessage($"delivery must be '{DeliveryModes.Immediate}' or '{DeliveryModes.Daily}'.");
        RuleForEach(p => p.Kinds).Must(k => NotificationKinds.All.Contains(k, StringComparer.Ordinal))
            .WithMessage((_, k) => $"'{k}' is not a kind of notification (kinds: {string.Join(", ", NotificationKinds.All)}).").OverridePropertyName("Kinds");
    }
}

/// <summary>The caller's own notifications and preferences; nobody reads another person's.</summary>
public static class NotificationQueries
{
    /// <summary>The items of <paramref name="userId"/>, newest first (for the home page's inbox as for <c>GET /notifications</c>).</summary>
    public static async Task<IReadOnlyList<NotificationView>> InboxAsync(IEventStore store, string userId, CancellationToken ct) =>
        (await new NotificationOutbox(store).OfAsync(userId, ct)).Select(NotificationView.Of).ToList();

    public static async Task<NotificationPreferences> PreferencesAsync(IEventStore store, string userId, CancellationToken ct) =>
        await store.LoadAsync<NotificationPreferences>(NotificationPreferences.StreamOf(userId), ct) ?? NotificationPreferences.Default(userId);

    /// <summary>Records the caller's choice (an event); validated first, nothing stored when refused.</summary>
    public static async Task<NotificationPreferences> SetPreferencesAsync(IEventStore store, Actor actor, SetNotificationPreferences command, TimeProvider time, CancellationToken ct)
    {
        new SetNotificationPreferencesValidator().ValidateAndThrow(command);
        var current = await PreferencesAsync(store, actor.Id, ct);
        await using var session = store.OpenSession(new EventMetadata(actor.Id, actor.Roles.OrderBy(r => r, StringComparer.Ordinal).FirstOrDefault() ?? "", Guid.NewGuid().ToString("N")));
        var set = new NotificationPreferencesSet(actor.Id, command.Email, command.Delivery, time.GetUtcNow(),
            command.Kinds is null ? null : [.. command.Kinds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);
        if (current.Version == 0) session.StartStream(current.Id, set);
        else session.Append(current.Id, current.Version, set);
        await session.SaveChangesAsync(ct);
        return await PreferencesAsync(store, actor.Id, ct);
    }
}

internal static class NotificationEndpoints
{
    public static void Map(RouteGroupBuilder notifications)
    {
        notifications.MapGet("/", List).RequireAuthorization(AuthPolicies.Authenticated)
            .WithName("ListNotifications").WithSummary("The caller's notifications, newest first, with their e-mail status");
        notifications.MapGet("/preferences", Get).RequireAuthorization(AuthPolicies.Authenticated)
            .WithName("GetNotificationPreferences").WithSummary("The caller's notification preferences (default: e-mail, immediately)");
        notifications.MapPut("/preferences", Set).RequireAuthorization(AuthPolicies.Authenticated)
            .WithName("SetNotificationPreferences").WithSummary("Switch e-mail on or off; delivery 'immediate' or 'daily' (one digest a day); kinds: which kinds of notification by e-mail (default all)");
    }

    private static async Task<Ok<IReadOnlyList<NotificationView>>> List(HttpContext http, IEventStore store, CancellationToken ct) =>
        TypedResults.Ok(await NotificationQueries.InboxAsync(store, http.ToActor().Id, ct));

    private static async Task<Ok<NotificationPreferences>> Get(HttpContext http, IEventStore store, CancellationToken ct) =>
        TypedResults.Ok(await NotificationQueries.PreferencesAsync(store, http.ToActor().Id, ct));

    private static async Task<Ok<NotificationPreferences>> Set(SetNotificationPreferences body, HttpContext http, IEventStore store, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok(await NotificationQueries.SetPreferencesAsync(store, http.ToActor(), body with { Delivery = body.Delivery ?? "" }, time, ct));
}
