using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using ReleaseGateway.EventStore.Chain;

namespace ReleaseGateway.EventStore.Storage;

/// <summary>
/// The event store over either backend. Sessions are committed by one writer loop per process that
/// takes whatever sessions are waiting and writes them in one transaction under the chain lock (group
/// commit): the chain stays linear, each session still succeeds or fails on its own expected versions,
/// and concurrent writers share one disk flush instead of queueing for one each.
/// </summary>
internal sealed class RelationalEventStore : IEventStore, IAsyncDisposable
{
    private const int MaxSessionsPerBatch = 256;
    private const int ReadPageSize = 5_000;

    private readonly SqlDialect _dialect;
    private readonly EventStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly Channel<PendingCommit> _queue = Channel.CreateUnbounded<PendingCommit>(new() { SingleReader = true });
    private readonly Lazy<Task> _schema;
    private readonly Task _writer;

    public RelationalEventStore(SqlDialect dialect, EventStoreOptions options, TimeProvider time)
    {
        _dialect = dialect;
        _options = options;
        _time = time;
        _schema = new Lazy<Task>(CreateSchemaAsync);
        _writer = Task.Run(WriteLoopAsync);
    }

    public IEventSession OpenSession(EventMetadata metadata) => new EventSession(this, metadata);

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

    public async Task<EventPage> QueryEventsAsync(EventQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        if (query.StreamIds is { Count: 0 } || query.EventTypes is { Count: 0 }) return EventPage.Empty;
        await _schema.Value;
        await using var connection = await OpenAsync(cancellationToken);
        PositionSpan? span = null;
        if (query.From is not null || query.Until is not null)
        {
            span = await TimeSpanAsync(connection, query, cancellationToken);
            if (span is null) return EventPage.Empty;
        }

        // Newer pages are read upwards from their cursor and turned round, so every page is newest first.
        var upwards = query.After is not null;
        await using var command = Command(connection, "");
        var where = Filter(command, query, span);
        if (query.Before is { } before) where.Add(Bound(command, "position < @cursor", before));
        if (query.After is { } after) where.Add(Bound(command, "position > @cursor", after));
        command.CommandText = $"SELECT {SqlDialect.EventColumns} FROM rg_events{Where(where)} " +
            $"ORDER BY position {(upwards ? "ASC" : "DESC")} LIMIT {query.Limit + 1}";
        var events = await ReadEventsAsync(command, deserialize: true, cancellationToken);
        var more = events.Count > query.Limit;
        if (more) events.RemoveAt(events.Count - 1);
        if (upwards) events.Reverse();
        if (events.Count == 0) return EventPage.Empty;

        var newest = events[0].Position;
        var oldest = events[^1].Position;
        var older = upwards ? await AnyAsync(connection, query, span, "position < @cursor", oldest, cancellationToken) : more;
        var newer = upwards ? more : query.Before is not null && await AnyAsync(connection, query, span, "position > @cursor", newest, cancellationToken);
        return new EventPage(events, older ? oldest : null, newer ? newest : null);
    }

    /// <summary>The positions of the first and last event in a time window.</summary>
    private sealed record PositionSpan(long First, long Last);

    /// <summary>Where the query's time window lies in the log (read from the time index alone); null when it holds no event.</summary>
    private static async Task<PositionSpan?> TimeSpanAsync(DbConnection connection, EventQuery query, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, "");
        var where = new List<string>();
        TimeConditions(command, query, where, "ts");
        command.CommandText = $"SELECT MIN(position), MAX(position) FROM rg_events{Where(where)}";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.IsDBNull(0) ? null : new PositionSpan(reader.GetInt64(0), reader.GetInt64(1));
    }

    private async Task<bool> AnyAsync(DbConnection connection, EventQuery query, PositionSpan? span, string bound, long cursor, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, "");
        var where = Filter(command, query, span);
        where.Add(Bound(command, bound, cursor));
        command.CommandText = $"SELECT 1 FROM rg_events{Where(where)} LIMIT 1";
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    private static List<string> Filter(DbCommand command, EventQuery query, PositionSpan? span)
    {
        var where = new List<string>();
        if (query.StreamIds is { } streams)
            where.Add("stream_id IN (" + InList(command, [.. streams.Distinct()]) + ")");
        if (query.ActorId is { } actor)
        {
            Parameter(command, "actor", actor);
            where.Add("actor_id = @actor");
        }
        if (query.EventTypes is { } types)
        {
            var names = types.Distinct(StringComparer.Ordinal).Select((t, i) =>
            {
                Parameter(command, $"type{i}", t);
                return $"@type{i}";
            });
            where.Add("event_type IN (" + string.Join(", ", names) + ")");
        }
        if (span is not null)
        {
            // A time window is read in position order between its first and last event, the time kept as an exact
            // condition that no index serves (ts || ''): reading the window through the time index would collect and
            // sort every event in it before the first page, however wide it is.
            Parameter(command, "span_first", span.First);
            Parameter(command, "span_last", span.Last);
            where.Add("position >= @span_first AND position <= @span_last");
            TimeConditions(command, query, where, "ts || ''");
        }
        return where;
    }

    // Canonical timestamps are fixed-width UTC text, so text order is time order.
    private static void TimeConditions(DbCommand command, EventQuery query, List<string> where, string column)
    {
        if (query.From is { } from)
        {
            Parameter(command, "from_ts", CanonicalEncoding.FormatTimestamp(from));
            where.Add($"{column} >= @from_ts");
        }
        if (query.Until is { } until)
        {
            Parameter(command, "until_ts", CanonicalEncoding.FormatTimestamp(until));
            where.Add($"{column} < @until_ts");
        }
    }

    private static string Bound(DbCommand command, string condition, long cursor)
    {
        Parameter(command, "cursor", cursor);
        return condition;
    }

    private static string Where(List<string> conditions) => conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);

    public async Task<ChainHead> ReadHeadAsync(CancellationToken cancellationToken = default)
    {
        await _schema.Value;
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadHeadAsync(connection, null, cancellationToken);
    }

    public async Task<TDocument?> LoadAsync<TDocument>(Guid id, CancellationToken cancellationToken = default) where TDocument : class
    {
        await _schema.Value;
        await using var connection = await OpenAsync(cancellationToken);
        var body = await LoadDocumentBodyAsync(connection, null, typeof(TDocument), id, cancellationToken);
        return body is null ? null : JsonSerializer.Deserialize<TDocument>(body, EventTypeRegistry.JsonOptions);
    }

    public async Task<IReadOnlyList<TDocument>> QueryAsync<TDocument>(CancellationToken cancellationToken = default) where TDocument : class
    {
        await _schema.Value;
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, "SELECT body FROM rg_documents WHERE doc_type = @type");
        Parameter(command, "type", DocumentTypeName(typeof(TDocument)));
        var result = new List<TDocument>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            result.Add(JsonSerializer.Deserialize<TDocument>(reader.GetString(0), EventTypeRegistry.JsonOptions)!);
        return result;
    }

    public async Task<DocumentPage<TDocument>> QueryAsync<TDocument>(DocumentQuery query, CancellationToken cancellationToken = default) where TDocument : class
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var type = typeof(TDocument);
        foreach (var index in new[] { query.Index, query.OrderBy }.OfType<string>())
            if (!_options.Indexes.Has(type, index)) throw new ArgumentException($"{type.Name} has no index '{index}'.", nameof(query));
        if (query.Values is { Count: 0 }) return new DocumentPage<TDocument>([], 0);
        if (query.Take == 0) return new DocumentPage<TDocument>([], await CountAsync());
        await _schema.Value;
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, "");
        var (from, where) = DocumentFilter(command, type, query);
        var order = query.OrderBy is null ? "" : $" ORDER BY o.value {(query.Descending ? "DESC" : "ASC")}, d.id {(query.Descending ? "DESC" : "ASC")}";
        var page = query.Take is { } take ? $" LIMIT {take} OFFSET {query.Skip}" : "";
        command.CommandText = $"SELECT d.body FROM {from}{where}{order}{page}";
        var documents = new List<TDocument>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken))
                documents.Add(JsonSerializer.Deserialize<TDocument>(reader.GetString(0), EventTypeRegistry.JsonOptions)!);
        var total = query.OrderBy is null || (query.Skip == 0 && (query.Take is null || documents.Count < query.Take))
            ? query.Skip + documents.Count
            : await CountAsync();
        return new DocumentPage<TDocument>(documents, total);

        async Task<int> CountAsync()
        {
            await _schema.Value;
            await using var countConnection = await OpenAsync(cancellationToken);
            await using var count = Command(countConnection, "");
            var (countFrom, countWhere) = DocumentFilter(count, type, query);
            count.CommandText = $"SELECT COUNT(*) FROM {countFrom}{countWhere}";
            return Convert.ToInt32(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The documents of <paramref name="type"/> a query selects: its filter as a subquery on the keys, its order as a join.</summary>
    private static (string From, string Where) DocumentFilter(DbCommand command, Type type, DocumentQuery query)
    {
        Parameter(command, "type", DocumentTypeName(type));
        var from = "rg_documents d";
        if (query.OrderBy is { } order)
        {
            Parameter(command, "order", order);
            from += " JOIN rg_document_keys o ON o.doc_type = d.doc_type AND o.id = d.id AND o.name = @order";
        }
        var where = " WHERE d.doc_type = @type";
        if (query.Index is { } index && query.Values is { } values)
        {
            Parameter(command, "index", index);
            var names = values.Distinct(StringComparer.Ordinal).Select((v, i) =>
            {
                Parameter(command, $"value{i}", v);
                return $"@value{i}";
            });
            where += " AND d.id IN (SELECT id FROM rg_document_keys WHERE doc_type = @type AND name = @index AND value IN (" + string.Join(", ", names) + "))";
        }
        return (from, where);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
    }

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

    private async Task CreateSchemaAsync()
    {
        await using var connection = await OpenAsync(CancellationToken.None);
        await _dialect.EnsureSchemaAsync(connection, CancellationToken.None);
        await FillIndexesAsync(connection);
    }

    /// <summary>
    /// Fills the indexes registered since their documents were written, from the stored documents, and records them
    /// as filled. Under the chain lock, so no writer (in this process or another) changes a document meanwhile; from
    /// then on every writer keeps the entries with the documents.
    /// </summary>
    private async Task FillIndexesAsync(DbConnection connection)
    {
        var registered = _options.Indexes.All.ToList();
        if (registered.Count == 0) return;
        await using var transaction = await _dialect.BeginChainTransactionAsync(connection, CancellationToken.None);
        if (_dialect.LockChainSql.Length > 0)
        {
            await using var lockChain = Command(connection, _dialect.LockChainSql, transaction);
            await lockChain.ExecuteNonQueryAsync();
        }
        var filled = new HashSet<(string, string)>();
        await using (var command = Command(connection, "SELECT doc_type, name FROM rg_document_indexes", transaction))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) filled.Add((reader.GetString(0), reader.GetString(1)));
        foreach (var (type, index) in registered.Where(r => !filled.Contains((DocumentTypeName(r.Type), r.Index.Name))))
        {
            var keys = new List<(string Type, string Name, string Value, string Id)>();
            await using (var command = Command(connection, "SELECT id, body FROM rg_documents WHERE doc_type = @type", transaction))
            {
                Parameter(command, "type", DocumentTypeName(type));
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    var document = JsonSerializer.Deserialize(reader.GetString(1), type, EventTypeRegistry.JsonOptions)!;
                    keys.AddRange(index.Values(document).Select(v => (DocumentTypeName(type), index.Name, v, reader.GetString(0))));
                }
            }
            await InsertKeysAsync(connection, transaction, keys);
            await using var mark = Command(connection, "INSERT INTO rg_document_indexes (doc_type, name) VALUES (@type, @name)", transaction);
            Parameter(mark, "type", DocumentTypeName(type));
            Parameter(mark, "name", index.Name);
            await mark.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }

    private static async Task InsertKeysAsync(DbConnection connection, DbTransaction transaction, List<(string Type, string Name, string Value, string Id)> keys)
    {
        foreach (var chunk in keys.Chunk(200))
        {
            await using var command = Command(connection, "", transaction);
            var rows = new List<string>(chunk.Length);
            for (var i = 0; i < chunk.Length; i++)
            {
                rows.Add($"(@t{i}, @n{i}, @v{i}, @i{i})");
                Parameter(command, $"t{i}", chunk[i].Type);
                Parameter(command, $"n{i}", chunk[i].Name);
                Parameter(command, $"v{i}", chunk[i].Value);
                Parameter(command, $"i{i}", chunk[i].Id);
            }
            command.CommandText = "INSERT INTO rg_document_keys (doc_type, name, value, id) VALUES " + string.Join(", ", rows) + " ON CONFLICT DO NOTHING";
            await command.ExecuteNonQueryAsync();
        }
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

    private async Task SaveDocumentsAsync(DbConnection connection, DbTransaction transaction, Dictionary<(Type Type, Guid Id), DocumentState> documents)
    {
        var keys = new List<(string Type, string Name, string Value, string Id)>();
        foreach (var ((type, id), state) in documents)
        {
            if (!state.Changed) continue;
            await using var command = Command(connection,
                state.Document is null ? "DELETE FROM rg_documents WHERE doc_type = @type AND id = @id" : SqlDialect.UpsertDocumentSql, transaction);
            Parameter(command, "type", DocumentTypeName(type));
            Parameter(command, "id", CanonicalEncoding.FormatStreamId(id));
            if (state.Document is not null) Parameter(command, "body", JsonSerializer.Serialize(state.Document, type, EventTypeRegistry.JsonOptions));
            await command.ExecuteNonQueryAsync();
            var indexes = _options.Indexes.For(type);
            if (indexes.Count == 0) continue;
            await using var clear = Command(connection, "DELETE FROM rg_document_keys WHERE doc_type = @type AND id = @id", transaction);
            Parameter(clear, "type", DocumentTypeName(type));
            Parameter(clear, "id", CanonicalEncoding.FormatStreamId(id));
            await clear.ExecuteNonQueryAsync();
            if (state.Document is { } document)
                foreach (var index in indexes)
                    keys.AddRange(index.Values(document).Select(v => (DocumentTypeName(type), index.Name, v, CanonicalEncoding.FormatStreamId(id))));
        }
        await InsertKeysAsync(connection, transaction, keys);
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

    private static string InList(DbCommand command, Guid[] ids)
    {
        var names = new string[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            names[i] = $"@id{i}";
            Parameter(command, $"id{i}", CanonicalEncoding.FormatStreamId(ids[i]));
        }
        return string.Join(", ", names);
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

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = _dialect.CreateConnection();
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private static DbCommand Command(DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    private static void Parameter(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }

    private static string DocumentTypeName(Type type) => type.FullName ?? type.Name;

    private static DateTimeOffset TruncateToMicroseconds(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % 10, TimeSpan.Zero);

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

/// <summary>One staged start or append: the stream must be at <see cref="ExpectedVersion"/> (0 for a new stream).</summary>
internal sealed record StreamAction(Guid StreamId, long ExpectedVersion, IReadOnlyList<object> Events);

internal sealed class EventSession(RelationalEventStore store, EventMetadata metadata) : IEventSession
{
    private readonly List<StreamAction> _actions = [];

    public void StartStream(Guid streamId, params object[] events) => Stage(streamId, 0, events);

    public void Append(Guid streamId, long expectedVersion, params object[] events)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        Stage(streamId, expectedVersion, events);
    }

    public async Task<IReadOnlyList<StoredEvent>> SaveChangesAsync(CancellationToken cancellationToken = default)
    {
        if (_actions.Count == 0) return [];
        var stored = await store.CommitAsync(metadata, [.. _actions], cancellationToken);
        _actions.Clear();
        return stored;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void Stage(Guid streamId, long expectedVersion, object[] events)
    {
        if (events.Length == 0) throw new ArgumentException("Append at least one event.", nameof(events));
        if (_actions.Any(a => a.StreamId == streamId))
            throw new InvalidOperationException($"Stream {streamId} is already staged in this session; stage all its events in one call.");
        _actions.Add(new StreamAction(streamId, expectedVersion, events));
    }
}
