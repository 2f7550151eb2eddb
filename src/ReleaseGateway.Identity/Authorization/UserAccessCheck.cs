using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using ReleaseGateway.Identity.Data;

namespace ReleaseGateway.Identity.Authorization;

/// <summary>
/// Whether a user's token or web session still stands for the user as they are now (ADR 0029). Access tokens and web
/// sessions carry a fingerprint of the user's security stamp, which ASP.NET Core Identity renews on every role,
/// password or account change; each API call and each page compares it with the user's current stamp and refuses a
/// user who is locked, disabled, must change their password or no longer exists. The user's state is read from the
/// identity database at most once per <see cref="MaxAge"/> per user and dropped at once when this process changes
/// the user (<see cref="Invalidate"/>), so a change made through the API or the web takes effect on the next call;
/// one made by <c>rgw users</c> in another process, within <see cref="MaxAge"/>.
/// </summary>
public sealed class UserAccessCheck(IServiceScopeFactory scopes, TimeProvider time)
{
    /// <summary>Longest time a user's state is reused without reading the database (issue 15: at most 30 s).</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);

    private sealed record State(string? StampFingerprint, DateTimeOffset ReadAt);

    private readonly ConcurrentDictionary<Guid, State> _states = new();

    /// <summary>Claim carrying <see cref="Fingerprint"/> in access tokens and web sessions.</summary>
    public const string StampClaim = "rgw_stamp";

    /// <summary>
    /// The first 128 bits of SHA-256 over the security stamp, hex: enough to tell stamps apart, and the stamp itself
    /// never leaves the server (the token is encrypted anyway; the session cookie is protected by Data Protection).
    /// </summary>
    public static string Fingerprint(string securityStamp) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(securityStamp)))[..32];

    /// <summary>True when the user exists, may sign in now (not locked, not disabled, no password change pending) and the fingerprint is current.</summary>
    public async ValueTask<bool> IsCurrentAsync(Guid userId, string? stampFingerprint, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(stampFingerprint)) return false;
        var now = time.GetUtcNow();
        if (!_states.TryGetValue(userId, out var state) || now - state.ReadAt >= MaxAge)
            _states[userId] = state = new State(await ReadAsync(userId, cancellationToken), now);
        return string.Equals(state.StampFingerprint, stampFingerprint, StringComparison.Ordinal);
    }

    /// <summary>Forgets what is known of the user: the next call reads the database. Call after every change to the user.</summary>
    public void Invalidate(Guid userId) => _states.TryRemove(userId, out _);

    // Null when the user may not act at all: then no fingerprint matches.
    private async Task<string?> ReadAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<GatewayUser>>();
        cancellationToken.ThrowIfCancellationRequested();
        var user = await users.FindByIdAsync(userId.ToString());
        if (user is null || user.MustChangePassword || await users.IsLockedOutAsync(user)) return null;
        return Fingerprint(await users.GetSecurityStampAsync(user));
    }
}
