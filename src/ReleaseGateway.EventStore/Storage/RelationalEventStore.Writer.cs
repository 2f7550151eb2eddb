using System.Data.Common;
using System.Text.Json;
using ReleaseGateway.EventStore.Chain;

namespace ReleaseGateway.EventStore.Storage;

/// <summary>The group-commit writer: one loop takes every waiting session and writes them in one transaction under the chain lock.</summary>
internal sealed partial class RelationalEventStore
{
    internal async Task<IReadOnlyList<StoredEvent>> CommitAsync(EventMetadata metadata, IReadOnlyList<StreamAction> actions, CancellationToken cancellationToken)
    {
        foreach (var action in actions)
        foreach (var e in action.Events)
            _options.Events.Describe(e); // fail fast on unregistered types, before queueing
        await _schema.Value;
        var pending = new PendingCommit(metadata, actions, cancellationToken);
        if (!_queue.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(RelationalEventStore));
        return await pending.Completion.Task.WaitAsync(cancellationToken);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingCommit>(MaxSessionsPerBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxSessionsPerBatch && _queue.Reader.TryRead(out var next))
                if (!next.CancellationToken.IsCancellationRequested) batch.Add(next);
                else next.Completion.TrySetCanceled(next.CancellationToken);
            if (batch.Count == 0) continue;
            try
            {
                await WriteBatchAsync(batch);
            }
            catch when (batch.Count > 1)
            {
                // One bad session (a projection that throws, say) must not fail the others: retry each alone.
                foreach (var single in batch)
                {
                    try { await WriteBatchAsync([single]); }
                    catch (Exception e) { single.Completion.TrySetException(e); }
                }
            }
            catch (Exception e)
            {
                batch[0].Completion.TrySetException(e);
            }
        }
    }

    /// <summary>
    /// Writes a batch of sessions in one transaction with a fixed number of round trips (lock, head, versions,
    /// documents, inserts, commit) whatever the batch size: that is what makes group commit pay off.
    /// </summary>
    private async Task WriteBatchAsync(IReadOnlyList<PendingCommit> batch)
    {
        await using var connection = await OpenAsync(CancellationToken.None);
        await using var transaction = await _dialect.BeginChainTransactionAsync(connection, CancellationToken.None);
        var head = await ReadHeadAsync(connection, transaction, CancellationToken.None, _dialect.LockChainSql);
        var streamIds = batch.SelectMany(c => c.Actions).Select(a => a.StreamId).Distinct().ToList();
        var versions = await ReadStreamVersionsAsync(connection, transaction, streamIds);
        var documents = _options.Projections.Count == 0 ? [] : await LoadDocumentsAsync(connection, transaction, streamIds);
        var outcomes = new List<(PendingCommit Commit, IReadOnlyList<StoredEvent>? Events, Exception? Error)>(batch.Count);
        var toInsert = new List<StoredEvent>();
        var now = TruncateToMicroseconds(_time.GetUtcNow());

        foreach (var commit in batch)
        {
            var conflict = commit.Actions
                .Where(a => versions.GetValueOrDefault(a.StreamId) != a.ExpectedVersion)
                .Select(a => new StreamVersionConflictException(a.StreamId, a.ExpectedVersion, versions.GetValueOrDefault(a.StreamId)))
                .FirstOrDefault();
            if (conflict is not null)
            {
                outcomes.Add((commit, null, conflict));
                continue;
            }

            var stored = new List<StoredEvent>();
            foreach (var action in commit.Actions)
            {
                var version = action.ExpectedVersion;
                foreach (var data in action.Events)
                {
                    var (name, schemaVersion) = _options.Events.Describe(data);
                    var unsigned = new StoredEvent(head.Position + 1, action.StreamId, ++version, name, schemaVersion,
                        EventTypeRegistry.Serialize(data), commit.Metadata, now, head.Hash, "", data);
                    var e = unsigned with { Hash = CanonicalEncoding.ComputeHash(unsigned) };
                    head = new ChainHead(e.Position, e.Hash);
                    stored.Add(e);
                }
                versions[action.StreamId] = version;
            }
            Project(stored, documents);
            toInsert.AddRange(stored);
            outcomes.Add((commit, stored, null));
        }

        await InsertAsync(connection, transaction, toInsert);
        await SaveDocumentsAsync(connection, transaction, documents);
        await transaction.CommitAsync(CancellationToken.None);

        foreach (var (commit, events, error) in outcomes)
            if (error is not null) commit.Completion.TrySetException(error);
            else commit.Completion.TrySetResult(events!);
    }

    private static async Task<Dictionary<Guid, long>> ReadStreamVersionsAsync(DbConnection connection, DbTransaction transaction, List<Guid> streamIds)
    {
        var versions = new Dictionary<Guid, long>();
        foreach (var chunk in streamIds.Chunk(500))
        {
            await using var command = Command(connection, "", transaction);
            command.CommandText = "SELECT stream_id, MAX(stream_version) FROM rg_events WHERE stream_id IN (" + InList(command, chunk) + ") GROUP BY stream_id";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) versions[Guid.Parse(reader.GetString(0))] = reader.GetInt64(1);
        }
        return versions;
    }

    private async Task<Dictionary<(Type Type, Guid Id), DocumentState>> LoadDocumentsAsync(DbConnection connection, DbTransaction transaction, List<Guid> streamIds)
    {
        var types = _options.Projections.Select(p => p.DocumentType).Distinct().ToDictionary(DocumentTypeName);
        var documents = new Dictionary<(Type, Guid), DocumentState>();
        foreach (var chunk in streamIds.Chunk(500))
        {
            await using var command = Command(connection, "", transaction);
            command.CommandText = "SELECT doc_type, id, body FROM rg_documents WHERE id IN (" + InList(command, chunk) + ")";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                if (types.TryGetValue(reader.GetString(0), out var type))
                    documents[(type, Guid.Parse(reader.GetString(1)))] = new DocumentState(JsonSerializer.Deserialize(reader.GetString(2), type, EventTypeRegistry.JsonOptions));
        }
        return documents;
    }

    private void Project(List<StoredEvent> events, Dictionary<(Type, Guid), DocumentState> documents)
    {
        foreach (var projection in _options.Projections)
        foreach (var e in events)
        {
            var key = (projection.DocumentType, e.StreamId);
            if (!documents.TryGetValue(key, out var state)) documents[key] = state = new DocumentState(null);
            var updated = projection.Apply(state.Document, e);
            if (!ReferenceEquals(updated, state.Document))
            {
                state.Document = updated;
                state.Changed = true;
            }
        }
    }

    private static async Task<string?> LoadDocumentBodyAsync(DbConnection connection, DbTransaction? transaction, Type type, Guid id, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, "SELECT body FROM rg_documents WHERE doc_type = @type AND id = @id", transaction);
        Parameter(command, "type", DocumentTypeName(type));
        Parameter(command, "id", CanonicalEncoding.FormatStreamId(id));
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>Multi-row inserts (chunked under SQLite's parameter limit): one round trip per chunk, not per event.</summary>
    private static async Task InsertAsync(DbConnection connection, DbTransaction transaction, List<StoredEvent> events)
    {
        foreach (var chunk in events.Chunk(200))
        {
            await using var command = Command(connection, "", transaction);
            var rows = new List<string>(chunk.Length);
            for (var i = 0; i < chunk.Length; i++)
            {
                var e = chunk[i];
                rows.Add($"(@p{i}, @s{i}, @v{i}, @t{i}, @sv{i}, @b{i}, @ai{i}, @ar{i}, @ci{i}, @ca{i}, @ts{i}, @ph{i}, @h{i})");
                Parameter(command, $"p{i}", e.Position);
                Parameter(command, $"s{i}", CanonicalEncoding.FormatStreamId(e.StreamId));
                Parameter(command, $"v{i}", e.StreamVersion);
                Parameter(command, $"t{i}", e.EventType);
                Parameter(command, $"sv{i}", e.SchemaVersion);
                Parameter(command, $"b{i}", e.Body);
                Parameter(command, $"ai{i}", e.Metadata.ActorId);
                Parameter(command, $"ar{i}", e.Metadata.ActorRole);
                Parameter(command, $"ci{i}", e.Metadata.CorrelationId);
                Parameter(command, $"ca{i}", (object?)e.Metadata.CausationId ?? DBNull.Value);
                Parameter(command, $"ts{i}", CanonicalEncoding.FormatTimestamp(e.Timestamp));
                Parameter(command, $"ph{i}", e.PreviousHash);
                Parameter(command, $"h{i}", e.Hash);
            }
            command.CommandText = $"INSERT INTO rg_events ({SqlDialect.EventColumns}) VALUES " + string.Join(", ", rows);
            await command.ExecuteNonQueryAsync();
        }
    }

    private sealed class DocumentState(object? document)
    {
        public object? Document { get; set; } = document;
        public bool Changed { get; set; }
    }

    private sealed record PendingCommit(EventMetadata Metadata, IReadOnlyList<StreamAction> Actions, CancellationToken CancellationToken)
    {
        public TaskCompletionSource<IReadOnlyList<StoredEvent>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
