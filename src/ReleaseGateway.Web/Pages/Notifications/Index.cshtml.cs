using Microsoft.AspNetCore.Mvc;
using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.Notifications;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages.Notifications;

/// <summary>The signed-in person's notifications with their e-mail status, and their preferences (ADR 0058); nobody sees another's.</summary>
public sealed class IndexModel(IEventStore store, TimeProvider time) : GatewayPageModel
{
    [BindProperty]
    public PreferencesForm Preferences { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public bool Saved { get; set; }

    public IReadOnlyList<NotificationView> Items { get; private set; } = [];

    public sealed class PreferencesForm
    {
        public bool Email { get; set; } = true;
        public string Delivery { get; set; } = DeliveryModes.Immediate;
        public List<string> Kinds { get; set; } = [];
    }

    public static IReadOnlyList<(string Kind, string Text)> KindTexts { get; } =
    [
        (NotificationKinds.Screening, "a request awaits screening"),
        (NotificationKinds.Review, "a request awaits my committee's vote"),
        (NotificationKinds.Blocked, "a release was blocked by its gates"),
        (NotificationKinds.Decision, "my request was approved, rejected or sent back"),
        (NotificationKinds.Release, "my release was published, revoked or expired"),
    ];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var current = await NotificationQueries.PreferencesAsync(store, Actor.Id, ct);
        Preferences = new PreferencesForm { Email = current.Email, Delivery = current.Delivery, Kinds = [.. current.EmailKinds ?? NotificationKinds.All] };
        Items = await NotificationQueries.InboxAsync(store, Actor.Id, ct);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        // Every kind ticked is stored as "every kind", so kinds added later reach those who never narrowed the list.
        var kinds = NotificationKinds.All.All(Preferences.Kinds.Contains) ? null : Preferences.Kinds;
        if (await TryAsync(() => NotificationQueries.SetPreferencesAsync(store, Actor, new SetNotificationPreferences(Preferences.Email, Preferences.Delivery, kinds),
                time, ct), nameof(Preferences)))
            return Redirect("/ui/notifications?saved=true");
        Items = await NotificationQueries.InboxAsync(store, Actor.Id, ct);
        return Page();
    }
}
