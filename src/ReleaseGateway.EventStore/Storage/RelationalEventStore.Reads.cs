using System.Data.Common;
using System.Runtime.CompilerServices;
using ReleaseGateway.EventStore.Chain;

namespace ReleaseGateway.EventStore.Storage;

/// <summary>Reading streams and the log: a stream, the whole log in pages, the chain head.</summary>
internal sealed partial class RelationalEventStore
{
    public async Task<IReadOnlyList<StoredEvent>> FetchStreamAsync(Guid streamId, CancellationToken cancellationToken = default)
    {
        await _schema.Value;
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, $"SELECT {SqlDialect.EventColumns} FROM rg_events WHERE stream_id = @stream ORDER BY stream_version");
        Parameter(command, "stream", CanonicalEncoding.FormatStreamId(streamId));
        return await ReadEventsAsync(command, deserialize: true, cancellationToken);
    }

    public IAsyncEnumerable<StoredEvent> ReadAllAsync(long fromPosition = 1, CancellationToken cancellationToken = default) =>
        ReadAllAsync(fromPosition, deserialize: true, cancellationToken);

    /// <summary>Reads in pages by position so a long read never holds one cursor open on a busy database.</summary>
    internal async IAsyncEnumerable<StoredEvent> ReadAllAsync(long fromPosition, bool deserialize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await _schema.Value;
        await using var connection = await OpenAsync(cancellationToken);
        var next = fromPosition;
        while (true)
        {
            await using var command = Command(connection,
                $"SELECT {SqlDialect.EventColumns} FROM rg_events WHERE position >= @from ORDER BY position LIMIT {ReadPageSize}");
            Parameter(command, "from", next);
            var page = await ReadEventsAsync(command, deserialize, cancellationToken);
            foreach (var e in page) yield return e;
            if (page.Count < ReadPageSize) yield break;
            next = page[^1].Position + 1;
        }
    }

    public async Task<ChainHead> ReadHeadAsync(CancellationToken cancellationToken = default)
    {
        await _schema.Value;
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadHeadAsync(connection, null, cancellationToken);
    }

    private static async Task<ChainHead> ReadHeadAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken, string lockSql = "")
    {
        await using var command = Command(connection, lockSql + "SELECT position, hash FROM rg_events ORDER BY position DESC LIMIT 1", transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (lockSql.Length > 0) await reader.NextResultAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new ChainHead(reader.GetInt64(0), reader.GetString(1))
            : new ChainHead(0, ChainHead.GenesisHash);
    }

    private async Task<List<StoredEvent>> ReadEventsAsync(DbCommand command, bool deserialize, CancellationToken cancellationToken)
    {
        var result = new List<StoredEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var type = reader.GetString(3);
            var schemaVersion = reader.GetInt32(4);
            var body = reader.GetString(5);
            result.Add(new StoredEvent(
                reader.GetInt64(0),
                Guid.Parse(reader.GetString(1)),
                reader.GetInt64(2),
                type,
                schemaVersion,
                body,
                new EventMetadata(reader.GetString(6), reader.GetString(7), reader.GetString(8), reader.IsDBNull(9) ? null : reader.GetString(9)),
                CanonicalEncoding.ParseTimestamp(reader.GetString(10)),
                reader.GetString(11),
                reader.GetString(12),
                deserialize ? _options.Events.Deserialize(type, schemaVersion, body) : null));
        }
        return result;
    }
}
