namespace ReleaseGateway.EventStore;

/// <summary>
/// The append-only, hash-chained audit log. Shaped like Marten's event store (sessions that start and
/// append streams with an expected version, fetch a stream, read all from a global position, inline
/// single-stream projections) so Marten could replace it; see docs/adr/0001-own-event-store.md.
/// </summary>
public interface IEventStore
{
    /// <summary>Opens a unit of work whose events and projected documents commit in one transaction.</summary>
    IEventSession OpenSession(EventMetadata metadata);

    /// <summary>All events of one stream in version order; empty when the stream does not exist.</summary>
    Task<IReadOnlyList<StoredEvent>> FetchStreamAsync(Guid streamId, CancellationToken cancellationToken = default);

    /// <summary>Every event from <paramref name="fromPosition"/> (inclusive) in global order.</summary>
    IAsyncEnumerable<StoredEvent> ReadAllAsync(long fromPosition = 1, CancellationToken cancellationToken = default);

    /// <summary>One page of the events matching <paramref name="query"/>, newest first (the audit trail browser).</summary>
    Task<EventPage> QueryEventsAsync(EventQuery query, CancellationToken cancellationToken = default);

    /// <summary>Position and hash of the newest event; position 0 and the zero hash for an empty log.</summary>
    Task<ChainHead> ReadHeadAsync(CancellationToken cancellationToken = default);

    /// <summary>The read model a projection keeps for <paramref name="id"/> (the stream id), or null.</summary>
    Task<TDocument?> LoadAsync<TDocument>(Guid id, CancellationToken cancellationToken = default) where TDocument : class;

    /// <summary>All read models of one type. Read models are small; filter in memory, or use an index.</summary>
    Task<IReadOnlyList<TDocument>> QueryAsync<TDocument>(CancellationToken cancellationToken = default) where TDocument : class;

    /// <summary>
    /// Read models of one type found through their indexes (registered in <see cref="EventStoreOptions.Indexes"/>):
    /// filtered, ordered and paged in the database, each document once.
    /// </summary>
    Task<DocumentPage<TDocument>> QueryAsync<TDocument>(DocumentQuery query, CancellationToken cancellationToken = default) where TDocument : class;
}

/// <summary>Events and projected documents staged for one transaction.</summary>
public interface IEventSession : IAsyncDisposable
{
    /// <summary>Starts a new stream; saving fails with <see cref="StreamVersionConflictException"/> if it exists.</summary>
    void StartStream(Guid streamId, params object[] events);

    /// <summary>
    /// Appends to a stream that must be exactly at <paramref name="expectedVersion"/> when the session saves
    /// (optimistic concurrency: a stale version is refused and nothing of the session is written).
    /// </summary>
    void Append(Guid streamId, long expectedVersion, params object[] events);

    /// <summary>Writes everything staged, atomically, extending the global hash chain; returns the stored events.</summary>
    Task<IReadOnlyList<StoredEvent>> SaveChangesAsync(CancellationToken cancellationToken = default);
}

/// <summary>The newest link of the chain.</summary>
public sealed record ChainHead(long Position, string Hash)
{
    /// <summary>Previous hash of the very first event: 32 zero bytes, hex.</summary>
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";
}

/// <summary>The stream was not at the expected version; nothing was written.</summary>
public sealed class StreamVersionConflictException(Guid streamId, long expectedVersion, long actualVersion)
    : Exception($"Stream {streamId} is at version {actualVersion}, not the expected {expectedVersion}; nothing was written.")
{
    public Guid StreamId { get; } = streamId;
    public long ExpectedVersion { get; } = expectedVersion;
    public long ActualVersion { get; } = actualVersion;
}
