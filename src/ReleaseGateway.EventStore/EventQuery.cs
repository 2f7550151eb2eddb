namespace ReleaseGateway.EventStore;

/// <summary>
/// A filtered page of the whole log, newest first: Marten's <c>QueryAllRawEvents()</c> narrowed by stream,
/// actor, event type and time, paged by position (keyset) rather than by offset, so a page deep in a large log
/// costs what the first one costs and events appended meanwhile never shift it. Filters combine with AND; an
/// unset filter matches everything. Each filter is served by an index (docs/adr/0001-own-event-store.md).
/// </summary>
public sealed record EventQuery
{
    public const int MaxLimit = 500;

    /// <summary>Events of any of these streams; an empty set matches nothing.</summary>
    public IReadOnlyCollection<Guid>? StreamIds { get; init; }

    /// <summary>Events whose metadata names this actor (user id, client id or <c>system</c>).</summary>
    public string? ActorId { get; init; }

    /// <summary>Events of any of these registered type names; an empty set matches nothing.</summary>
    public IReadOnlyCollection<string>? EventTypes { get; init; }

    /// <summary>Appended at or after this time.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Appended before this time.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Cursor for the next older page: only positions below this one (<see cref="EventPage.Older"/>).</summary>
    public long? Before { get; init; }

    /// <summary>Cursor for the next newer page: only positions above this one (<see cref="EventPage.Newer"/>).</summary>
    public long? After { get; init; }

    /// <summary>Events per page, 1 to <see cref="MaxLimit"/>.</summary>
    public int Limit { get; init; } = 50;

    internal void Validate()
    {
        if (Before is not null && After is not null) throw new ArgumentException("Page with Before or After, not both.");
        ArgumentOutOfRangeException.ThrowIfLessThan(Limit, 1, nameof(Limit));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Limit, MaxLimit, nameof(Limit));
    }
}

/// <summary>One page of a <see cref="EventQuery"/> with the cursors of its neighbours.</summary>
/// <param name="Events">The matching events, newest first.</param>
/// <param name="Older">Pass as <see cref="EventQuery.Before"/> for the next older page; null when no older event matches.</param>
/// <param name="Newer">Pass as <see cref="EventQuery.After"/> for the next newer page; null when no newer event matches.</param>
public sealed record EventPage(IReadOnlyList<StoredEvent> Events, long? Older, long? Newer)
{
    public static EventPage Empty { get; } = new([], null, null);
}
