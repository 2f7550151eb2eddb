using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace ReleaseGateway.EventStore.Storage;

/// <summary>
/// The embedded default: one file, WAL journal, a single writer at a time (BEGIN IMMEDIATE).
/// synchronous=NORMAL in WAL mode survives a process crash; see docs/adr/0001-own-event-store.md.
/// </summary>
internal sealed class SqliteDialect(string path) : SqlDialect
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 60,
    }.ToString();

    public override DbConnection CreateConnection() => new SqliteConnection(_connectionString);

    public override async Task EnsureSchemaAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            PRAGMA journal_mode = WAL;
            {TablesDdl("INTEGER", "INTEGER", "INTEGER")}
            CREATE TRIGGER IF NOT EXISTS rg_events_no_update BEFORE UPDATE ON rg_events
            BEGIN SELECT RAISE(ABORT, 'rg_events is append-only: UPDATE refused'); END;
            CREATE TRIGGER IF NOT EXISTS rg_events_no_delete BEFORE DELETE ON rg_events
            BEGIN SELECT RAISE(ABORT, 'rg_events is append-only: DELETE refused'); END;
            """;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public override async Task<DbTransaction> BeginChainTransactionAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA synchronous = NORMAL;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }
        // Microsoft.Data.Sqlite begins IMMEDIATE unless deferred: the write lock is taken here, before the head is read.
        return ((SqliteConnection)connection).BeginTransaction(deferred: false);
    }

    public override string LockChainSql => "";
}
