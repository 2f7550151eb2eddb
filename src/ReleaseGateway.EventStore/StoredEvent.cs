namespace ReleaseGateway.EventStore;

/// <summary>An event as it sits in the log: its place in the global chain, its stream, its body and its hashes.</summary>
/// <param name="Position">Global position, 1-based, gap-free.</param>
/// <param name="StreamId">The stream (aggregate) the event belongs to.</param>
/// <param name="StreamVersion">Version of the stream after this event, 1-based.</param>
/// <param name="EventType">Registered type name, stable across CLR renames.</param>
/// <param name="SchemaVersion">Version of the body's shape, for upcasting.</param>
/// <param name="Body">The body exactly as stored and hashed (UTF-8 JSON text).</param>
/// <param name="Metadata">Actor, role, correlation and causation.</param>
/// <param name="Timestamp">UTC time of the append, microsecond precision.</param>
/// <param name="PreviousHash">Hash of the event at <c>Position - 1</c> (64 zeros for the first).</param>
/// <param name="Hash">SHA-256 over the previous hash and the canonical encoding (see audit/CANONICAL-ENCODING.md).</param>
/// <param name="Data">The body deserialized into its current CLR type (after upcasting), or null when the type is unknown.</param>
public sealed record StoredEvent(
    long Position,
    Guid StreamId,
    long StreamVersion,
    string EventType,
    int SchemaVersion,
    string Body,
    EventMetadata Metadata,
    DateTimeOffset Timestamp,
    string PreviousHash,
    string Hash,
    object? Data);
