using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using ReleaseGateway.Identity.Data;

namespace ReleaseGateway.Web.Infrastructure;

/// <summary>
/// Names for the ids events carry: a user's e-mail address (shown to people allowed to see the page, never
/// written into an event), the gateway's own actors in words ("system:release-pipeline" → "gateway (release
/// pipeline)"), a service client's id as it is.
/// </summary>
public sealed class UserDirectory(UserManager<GatewayUser> users)
{
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);

    public async Task<string> NameAsync(string actorId)
    {
        if (_names.TryGetValue(actorId, out var name)) return name;
        var user = Guid.TryParse(actorId, out _) ? await users.FindByIdAsync(actorId) : null;
        return _names[actorId] = user?.Email ?? Fallback(actorId);
    }

    /// <summary>Resolves every id first, in one query, so a page can then use <see cref="Name"/> while rendering.</summary>
    public async Task LoadAsync(IEnumerable<string> actorIds, CancellationToken ct = default)
    {
        var wanted = actorIds.Where(id => !_names.ContainsKey(id)).Distinct(StringComparer.Ordinal).ToList();
        var ids = wanted.Select(id => Guid.TryParse(id, out var g) ? g : (Guid?)null).OfType<Guid>().ToList();
        if (ids.Count > 0)
            foreach (var user in await users.Users.Where(u => ids.Contains(u.Id)).Select(u => new { u.Id, u.Email }).ToListAsync(ct))
                _names[user.Id.ToString()] = user.Email ?? user.Id.ToString();
        foreach (var id in wanted) _names.TryAdd(id, Fallback(id));
    }

    public string Name(string actorId) => _names.TryGetValue(actorId, out var name) ? name : Fallback(actorId);

    private static string Fallback(string actorId) =>
        actorId == "system" ? "gateway"
        : actorId.StartsWith("system:", StringComparison.Ordinal) ? $"gateway ({actorId["system:".Length..].Replace('-', ' ')})"
        : actorId;
}
