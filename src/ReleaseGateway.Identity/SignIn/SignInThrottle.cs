using System.Collections.Concurrent;
using System.Net;

namespace ReleaseGateway.Identity.SignIn;

/// <summary>
/// Password failures counted per account and source address, not per account (ADR 0029). After
/// <see cref="IdentitySettings.MaxFailedAccessAttempts"/> failures from one address, sign-ins for that account from
/// that address are refused for <see cref="IdentitySettings.LockoutDuration"/>, doubled at each further round (at most
/// a day); the account itself stays usable from everywhere else, so an outsider who knows an e-mail address cannot
/// lock its owner out. A success from the address clears its count. Unknown addresses are counted the same way, so
/// nothing tells them apart. Kept in memory: a restart forgets the counts (the per-address rate limit still holds),
/// and several gateway processes each count their own.
/// </summary>
public sealed class SignInThrottle(IdentitySettings settings, TimeProvider time)
{
    private static readonly TimeSpan MaxBlock = TimeSpan.FromDays(1);

    // Above this many entries, expired ones are swept before adding another (memory stays bounded under a spray).
    private const int SweepAbove = 100_000;

    private sealed class Entry
    {
        public int Failures;
        public int Rounds;
        public DateTimeOffset BlockedUntil;
        public DateTimeOffset LastFailure;
    }

    private readonly ConcurrentDictionary<(string Account, string Source), Entry> _entries = new();

    /// <summary>The key of an attempt: the e-mail address as typed (trimmed, case-folded) and the connection's client address.</summary>
    public static (string Account, string Source) Key(string email, IPAddress? source) =>
        (email.Trim().ToUpperInvariant(), source?.ToString() ?? "unknown");

    /// <summary>True while attempts for this account from this source are refused without looking at the password.</summary>
    public bool IsBlocked((string Account, string Source) key) =>
        _entries.TryGetValue(key, out var entry) && IsBlocked(entry);

    /// <summary>Counts a failure; returns the round and the end of the block when this failure starts one.</summary>
    public (int Round, DateTimeOffset Until)? RecordFailure((string Account, string Source) key)
    {
        var now = time.GetUtcNow();
        if (_entries.Count > SweepAbove) Sweep(now);
        var entry = _entries.GetOrAdd(key, _ => new Entry());
        lock (entry)
        {
            entry.LastFailure = now;
            if (++entry.Failures < settings.MaxFailedAccessAttempts) return null;
            entry.Failures = 0;
            entry.Rounds++;
            var block = TimeSpan.FromTicks(Math.Min(MaxBlock.Ticks, settings.LockoutDuration.Ticks * (1L << Math.Min(entry.Rounds - 1, 20))));
            entry.BlockedUntil = now + block;
            return (entry.Rounds, entry.BlockedUntil);
        }
    }

    /// <summary>A correct password from this source: its count starts again.</summary>
    public void RecordSuccess((string Account, string Source) key) => _entries.TryRemove(key, out _);

    private bool IsBlocked(Entry entry)
    {
        lock (entry) return entry.BlockedUntil > time.GetUtcNow();
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (key, entry) in _entries)
            lock (entry)
                if (entry.BlockedUntil <= now && now - entry.LastFailure > MaxBlock)
                    _entries.TryRemove(key, out _);
    }
}
