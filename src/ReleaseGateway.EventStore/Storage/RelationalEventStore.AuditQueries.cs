using System.Data.Common;
using ReleaseGateway.EventStore.Chain;

namespace ReleaseGateway.EventStore.Storage;

/// <summary>Audit queries over the log: filtered by stream, type, actor and time, paged by position from the time index.</summary>
internal sealed partial class RelationalEventStore
{
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
}
