using System.Data.Common;
using System.Text.Json;
using ReleaseGateway.EventStore.Chain;

namespace ReleaseGateway.EventStore.Storage;

/// <summary>The document store: projected read models by id, by index and paged; and the back-fill of indexes registered after their documents were written.</summary>
internal sealed partial class RelationalEventStore
{
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
}
