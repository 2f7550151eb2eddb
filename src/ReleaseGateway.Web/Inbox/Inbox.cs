using Microsoft.Extensions.DependencyInjection;
using ReleaseGateway.Requests;

namespace ReleaseGateway.Web.Inbox;

/// <summary>
/// One thing that awaits the signed-in person: a vote, a screening, a sign-off, a request sent back, a release ready.
/// <paramref name="Kind"/> groups items on the home page ("vote", "screening", ...); <paramref name="Action"/> is the
/// link's words ("Vote", "Download").
/// </summary>
public sealed record InboxItem(string Kind, string Title, string Text, string Path, string Action, DateTimeOffset At);

/// <summary>
/// A source of inbox items for one person. Each part of the gateway that wants someone's attention adds one (registered
/// with <see cref="InboxRegistration.AddInboxSource{T}"/>); sources see only what the person may see, through the modules'
/// own queries, and nothing a requester may not be shown (docs/privacy.md).
/// </summary>
public interface IInboxSource
{
    Task<IReadOnlyList<InboxItem>> ItemsAsync(Actor actor, CancellationToken ct);
}

/// <summary>Everything awaiting a person, from every registered source, oldest first (what has waited longest leads).</summary>
public sealed class PersonalInbox(IEnumerable<IInboxSource> sources)
{
    public async Task<IReadOnlyList<InboxItem>> ForAsync(Actor actor, CancellationToken ct)
    {
        var items = new List<InboxItem>();
        foreach (var source in sources) items.AddRange(await source.ItemsAsync(actor, ct));
        return items.OrderBy(i => i.At).ToList();
    }
}

public static class InboxRegistration
{
    public static IServiceCollection AddInboxSource<T>(this IServiceCollection services) where T : class, IInboxSource =>
        services.AddScoped<IInboxSource, T>();
}
