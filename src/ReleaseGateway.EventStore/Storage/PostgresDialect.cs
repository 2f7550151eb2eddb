using System.Data.Common;
using Npgsql;

namespace ReleaseGateway.EventStore.Storage;

/// <summary>
/// PostgreSQL: events in <c>rg_events</c>, writers serialized by one transaction-scoped advisory lock so the
/// chain stays linear across every process that writes to the database.
/// </summary>
internal sealed class PostgresDialect(string connectionString) : SqlDialect
{
    // Arbitrary, fixed: the key of the advisory lock every writer of the chain takes.
    private const long ChainLockKey = 0x5247_5741_5544_4954; // "RGWAUDIT"

    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    public override DbConnection CreateConnection() => _dataSource.CreateConnection();

    public override async Task EnsureSchemaAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        // Serialize concurrent first starts: CREATE ... IF NOT EXISTS is not race-free in PostgreSQL.
        command.CommandText = $"""
            SELECT pg_advisory_lock({ChainLockKey});
            {TablesDdl("BIGINT", "BIGINT", "INT")}
            CREATE OR REPLACE FUNCTION rg_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'rg_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
            END $$;
            DROP TRIGGER IF EXISTS rg_events_no_update_delete ON rg_events;
            CREATE TRIGGER rg_events_no_update_delete BEFORE UPDATE OR DELETE ON rg_events
                FOR EACH ROW EXECUTE FUNCTION rg_events_refuse_change();
            DROP TRIGGER IF EXISTS rg_events_no_truncate ON rg_events;
            CREATE TRIGGER rg_events_no_truncate BEFORE TRUNCATE ON rg_events
                FOR EACH STATEMENT EXECUTE FUNCTION rg_events_refuse_change();
            SELECT pg_advisory_unlock({ChainLockKey});
            """;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // Npgsql sends BEGIN together with the first command, so lock and head read cost one round trip.
    public override async Task<DbTransaction> BeginChainTransactionAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken);

    public override string LockChainSql => $"SELECT pg_advisory_xact_lock({ChainLockKey});";
}
