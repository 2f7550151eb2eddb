using System.Data.Common;
using System.Threading.Channels;
using ReleaseGateway.EventStore.Chain;

namespace ReleaseGateway.EventStore.Storage;

/// <summary>
/// The event store over either backend. Sessions are committed by one writer loop per process that
/// takes whatever sessions are waiting and writes them in one transaction under the chain lock (group
/// commit): the chain stays linear, each session still succeeds or fails on its own expected versions,
/// and concurrent writers share one disk flush instead of queueing for one each.
/// One partial file per job: Reads, AuditQueries, Documents (with the index back-fill), Schema, Writer.
/// </summary>
internal sealed partial class RelationalEventStore : IEventStore, IAsyncDisposable
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

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
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
