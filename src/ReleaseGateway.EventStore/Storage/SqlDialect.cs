using System.Data.Common;

namespace ReleaseGateway.EventStore.Storage;

/// <summary>What differs between the two backends; everything else is shared ADO.NET.</summary>
internal abstract class SqlDialect
{
    public abstract DbConnection CreateConnection();

    /// <summary>Creates tables, indexes and the append-only triggers if missing (idempotent).</summary>
    public abstract Task EnsureSchemaAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Starts a write transaction; the chain lock is then taken by <see cref="LockChainSql"/>.</summary>
    public abstract Task<DbTransaction> BeginChainTransactionAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// SQL run first inside the write transaction (in the same round trip as reading the head) that holds the
    /// chain's single writer lock until the transaction ends; empty where the transaction itself is the lock.
    /// </summary>
    public abstract string LockChainSql { get; }

    /// <summary>Insert-or-replace of a projected document.</summary>
    public const string UpsertDocumentSql =
        "INSERT INTO rg_documents (doc_type, id, body) VALUES (@type, @id, @body) " +
        "ON CONFLICT (doc_type, id) DO UPDATE SET body = excluded.body";

    /// <summary>
    /// The tables both backends share; only the integer type names differ. The secondary indexes serve
    /// <see cref="EventQuery"/>'s filters (stream filters use the stream/version key); created on start when missing.
    /// <c>rg_document_keys</c> holds the documents' index entries (<see cref="DocumentIndexes"/>), <c>rg_document_indexes</c>
    /// the indexes already filled from the stored documents.
    /// </summary>
    protected static string TablesDdl(string positionType, string int64Type, string int32Type) => $"""
        CREATE TABLE IF NOT EXISTS rg_events (
            position       {positionType} PRIMARY KEY,
            stream_id      TEXT NOT NULL,
            stream_version {int64Type} NOT NULL,
            event_type     TEXT NOT NULL,
            schema_version {int32Type} NOT NULL,
            body           TEXT NOT NULL,
            actor_id       TEXT NOT NULL,
            actor_role     TEXT NOT NULL,
            correlation_id TEXT NOT NULL,
            causation_id   TEXT NULL,
            ts             TEXT NOT NULL,
            previous_hash  TEXT NOT NULL,
            hash           TEXT NOT NULL,
            UNIQUE (stream_id, stream_version)
        );
        CREATE TABLE IF NOT EXISTS rg_documents (
            doc_type TEXT NOT NULL,
            id       TEXT NOT NULL,
            body     TEXT NOT NULL,
            PRIMARY KEY (doc_type, id)
        );
        CREATE TABLE IF NOT EXISTS rg_document_keys (
            doc_type TEXT NOT NULL,
            name     TEXT NOT NULL,
            value    TEXT NOT NULL,
            id       TEXT NOT NULL,
            PRIMARY KEY (doc_type, name, value, id)
        );
        CREATE INDEX IF NOT EXISTS rg_document_keys_document ON rg_document_keys (doc_type, id);
        CREATE TABLE IF NOT EXISTS rg_document_indexes (
            doc_type TEXT NOT NULL,
            name     TEXT NOT NULL,
            PRIMARY KEY (doc_type, name)
        );
        CREATE INDEX IF NOT EXISTS rg_events_actor ON rg_events (actor_id, position);
        CREATE INDEX IF NOT EXISTS rg_events_type ON rg_events (event_type, position);
        CREATE INDEX IF NOT EXISTS rg_events_time ON rg_events (ts, position);
        """;

    public const string EventColumns =
        "position, stream_id, stream_version, event_type, schema_version, body, actor_id, actor_role, correlation_id, causation_id, ts, previous_hash, hash";
}
