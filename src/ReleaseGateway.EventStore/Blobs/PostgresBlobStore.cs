using Npgsql;
using NpgsqlTypes;

namespace ReleaseGateway.EventStore.Blobs;

/// <summary>
/// Blobs in PostgreSQL, so that gateway nodes share them without a shared folder (ADR 0041): one row per name in
/// <c>rgw_blobs</c>, small contents inline, larger ones as 1 MiB <c>bytea</c> chunks in <c>rgw_blob_chunks</c> (plain
/// rows rather than large objects: <c>pg_dump</c> of the database carries them, and they are deleted with their row).
/// A staged blob is a row under <c>.staging/</c> renamed in one statement, so a name only ever shows a complete blob.
/// </summary>
public sealed class PostgresBlobStore : IBlobStore, IDisposable
{
    internal const int ChunkSize = 1 << 20;
    private const string Staging = ".staging/";
    private const long SchemaLockKey = 0x5247_5742_4c4f_4253; // "RGWBLOBS"

    private readonly NpgsqlDataSource _source;

    public PostgresBlobStore(string connectionString)
    {
        _source = NpgsqlDataSource.Create(connectionString);
        using var connection = _source.OpenConnection();
        using var transaction = connection.BeginTransaction();
        // Several nodes start at once: CREATE ... IF NOT EXISTS alone races on the catalog.
        Execute(connection, $"SELECT pg_advisory_xact_lock({SchemaLockKey})");
        Execute(connection, """
            CREATE TABLE IF NOT EXISTS rgw_blobs (
                name text PRIMARY KEY,
                id uuid NOT NULL UNIQUE,
                length bigint NOT NULL,
                inline bytea NULL,
                created_at timestamptz NOT NULL DEFAULT now());
            CREATE TABLE IF NOT EXISTS rgw_blob_chunks (
                id uuid NOT NULL REFERENCES rgw_blobs (id) ON DELETE CASCADE,
                index integer NOT NULL,
                data bytea NOT NULL,
                PRIMARY KEY (id, index));
            """);
        transaction.Commit();
    }

    public async Task<StagedBlob> StageAsync(string folder, Func<Stream, Task> write, CancellationToken ct)
    {
        BlobNames.Check(folder);
        var id = Guid.CreateVersion7();
        var name = Staging + id.ToString("N");
        await using (var connection = await _source.OpenConnectionAsync(ct))
        await using (var insert = new NpgsqlCommand("INSERT INTO rgw_blobs (name, id, length) VALUES ($1, $2, 0)", connection))
        {
            insert.Parameters.Add(new() { Value = name });
            insert.Parameters.Add(new() { Value = id });
            await insert.ExecuteNonQueryAsync(ct);
        }
        var staged = new Staged(this, name, id);
        try
        {
            await using var stream = new ChunkWriteStream(_source, id);
            await write(stream);
            staged.LengthValue = await stream.CompleteAsync(ct);
            return staged;
        }
        catch
        {
            await staged.DisposeAsync();
            throw;
        }
    }

    public bool TryCreate(string name, ReadOnlySpan<byte> content)
    {
        if (content.Length > ChunkSize) throw new ArgumentException("TryCreate is for small blobs; stage larger ones.", nameof(content));
        using var connection = _source.OpenConnection();
        using var insert = new NpgsqlCommand("INSERT INTO rgw_blobs (name, id, length, inline) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING", connection);
        AddRow(insert, BlobNames.Check(name), content);
        return insert.ExecuteNonQuery() == 1;
    }

    public void Put(string name, ReadOnlySpan<byte> content)
    {
        if (content.Length > ChunkSize) throw new ArgumentException("Put is for small blobs.", nameof(content));
        using var connection = _source.OpenConnection();
        using var upsert = new NpgsqlCommand("""
            INSERT INTO rgw_blobs (name, id, length, inline) VALUES ($1, $2, $3, $4)
            ON CONFLICT (name) DO UPDATE SET length = excluded.length, inline = excluded.inline, created_at = now()
            """, connection);
        AddRow(upsert, BlobNames.Check(name), content);
        upsert.ExecuteNonQuery();
    }

    public Stream? OpenRead(string name)
    {
        using var connection = _source.OpenConnection();
        using var select = new NpgsqlCommand("SELECT id, length, inline FROM rgw_blobs WHERE name = $1", connection);
        select.Parameters.Add(new() { Value = BlobNames.Check(name) });
        using var reader = select.ExecuteReader();
        if (!reader.Read()) return null;
        if (!reader.IsDBNull(2)) return new MemoryStream(reader.GetFieldValue<byte[]>(2), writable: false);
        return new ChunkReadStream(_source, reader.GetGuid(0), reader.GetInt64(1));
    }

    public bool Exists(string name)
    {
        using var connection = _source.OpenConnection();
        using var select = new NpgsqlCommand("SELECT 1 FROM rgw_blobs WHERE name = $1", connection);
        select.Parameters.Add(new() { Value = BlobNames.Check(name) });
        return select.ExecuteScalar() is not null;
    }

    public IReadOnlyList<string> List(string folder)
    {
        var prefix = folder.Length == 0 ? "" : BlobNames.Check(folder) + "/";
        using var connection = _source.OpenConnection();
        using var select = new NpgsqlCommand("SELECT name FROM rgw_blobs WHERE starts_with(name, $1) ORDER BY name", connection);
        select.Parameters.Add(new() { Value = prefix });
        using var reader = select.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            var rest = reader.GetString(0)[prefix.Length..];
            if (!rest.Contains('/')) names.Add(rest);
        }
        return names;
    }

    public void Delete(string name)
    {
        using var connection = _source.OpenConnection();
        using var delete = new NpgsqlCommand("DELETE FROM rgw_blobs WHERE name = $1", connection);
        delete.Parameters.Add(new() { Value = BlobNames.Check(name) });
        delete.ExecuteNonQuery();
    }

    public void Dispose() => _source.Dispose();

    private static void AddRow(NpgsqlCommand command, string name, ReadOnlySpan<byte> content)
    {
        command.Parameters.Add(new() { Value = name });
        command.Parameters.Add(new() { Value = Guid.CreateVersion7() });
        command.Parameters.Add(new() { Value = (long)content.Length });
        command.Parameters.Add(new() { Value = content.ToArray(), NpgsqlDbType = NpgsqlDbType.Bytea });
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private sealed class Staged(PostgresBlobStore store, string stagedName, Guid id) : StagedBlob
    {
        private bool _published;

        internal long LengthValue;

        public override long Length => LengthValue;

        public override Stream OpenRead() => new ChunkReadStream(store._source, id, LengthValue);

        public override async Task<bool> PublishAsync(string name, CancellationToken ct)
        {
            await using var connection = await store._source.OpenConnectionAsync(ct);
            await using var rename = new NpgsqlCommand("UPDATE rgw_blobs SET name = $1, created_at = now() WHERE name = $2", connection);
            rename.Parameters.Add(new() { Value = BlobNames.Check(name) });
            rename.Parameters.Add(new() { Value = stagedName });
            try
            {
                _published = await rename.ExecuteNonQueryAsync(ct) == 1;
                return _published;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                return false;
            }
        }

        public override async ValueTask DisposeAsync()
        {
            if (_published) return;
            await using var connection = await store._source.OpenConnectionAsync();
            await using var delete = new NpgsqlCommand("DELETE FROM rgw_blobs WHERE name = $1", connection);
            delete.Parameters.Add(new() { Value = stagedName });
            await delete.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Buffers writes into 1 MiB chunks, each inserted as it fills.</summary>
    private sealed class ChunkWriteStream(NpgsqlDataSource source, Guid id) : Stream
    {
        private readonly byte[] _buffer = new byte[ChunkSize];
        private int _filled;
        private int _index;
        private long _length;

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct = default)
        {
            while (data.Length > 0)
            {
                var n = Math.Min(data.Length, ChunkSize - _filled);
                data[..n].CopyTo(_buffer.AsMemory(_filled));
                _filled += n;
                _length += n;
                data = data[n..];
                if (_filled == ChunkSize) await FlushChunkAsync(ct);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

        public async Task<long> CompleteAsync(CancellationToken ct)
        {
            if (_filled > 0) await FlushChunkAsync(ct);
            await using var connection = await source.OpenConnectionAsync(ct);
            await using var update = new NpgsqlCommand("UPDATE rgw_blobs SET length = $1 WHERE id = $2", connection);
            update.Parameters.Add(new() { Value = _length });
            update.Parameters.Add(new() { Value = id });
            await update.ExecuteNonQueryAsync(ct);
            return _length;
        }

        private async Task FlushChunkAsync(CancellationToken ct)
        {
            await using var connection = await source.OpenConnectionAsync(ct);
            await using var insert = new NpgsqlCommand("INSERT INTO rgw_blob_chunks (id, index, data) VALUES ($1, $2, $3)", connection);
            insert.Parameters.Add(new() { Value = id });
            insert.Parameters.Add(new() { Value = _index++ });
            insert.Parameters.Add(new() { Value = new ReadOnlyMemory<byte>(_buffer, 0, _filled), NpgsqlDbType = NpgsqlDbType.Bytea });
            await insert.ExecuteNonQueryAsync(ct);
            _filled = 0;
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override Task FlushAsync(CancellationToken ct) => Task.CompletedTask;
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>Reads a chunked blob one chunk (one query) at a time.</summary>
    private sealed class ChunkReadStream(NpgsqlDataSource source, Guid id, long length) : Stream
    {
        private byte[] _chunk = [];
        private int _offset;
        private int _index;
        private long _position;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> destination)
        {
            if (_offset == _chunk.Length)
            {
                if (_position >= length) return 0;
                using var connection = source.OpenConnection();
                using var select = new NpgsqlCommand("SELECT data FROM rgw_blob_chunks WHERE id = $1 AND index = $2", connection);
                select.Parameters.Add(new() { Value = id });
                select.Parameters.Add(new() { Value = _index });
                _chunk = select.ExecuteScalar() as byte[] ?? throw new InvalidDataException($"Blob {id} lost its chunk {_index}.");
                _index++;
                _offset = 0;
                if (_chunk.Length == 0) return 0;
            }
            var n = Math.Min(destination.Length, _chunk.Length - _offset);
            _chunk.AsSpan(_offset, n).CopyTo(destination);
            _offset += n;
            _position += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
