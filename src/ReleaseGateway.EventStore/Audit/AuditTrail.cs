namespace ReleaseGateway.EventStore.Audit;

/// <summary>
/// A state-changing command was refused (issue 15, row 10): who tried what on which stream, the stable error code and why.
/// Recorded in a stream of its own, never in the target's: the target's version, ETag and state are exactly what they were
/// ("nothing changed"), while the refusal is in the hash-chained log like every other event (ADR 0031).
/// </summary>
/// <param name="StreamId">The stream the command was aimed at (a request, dataset or release).</param>
/// <param name="Command">What was attempted, e.g. <c>vote</c>, <c>upload-source</c>, <c>download</c>.</param>
/// <param name="Code">The stable error code the caller got (e.g. <c>RG3001</c>).</param>
/// <param name="Reason">The refusal's explanation as the caller got it, or a summary of it; never the data a command carried.</param>
/// <param name="RefusedBy">The actor's stable id (never an e-mail address).</param>
/// <param name="RefusedAt">When the refusal was answered.</param>
public sealed record CommandRefused(Guid StreamId, string Command, string Code, string Reason, string RefusedBy, DateTimeOffset RefusedAt);

/// <summary>
/// A copy of the log left the gateway: an export (<c>Kind = export</c>) or a signed checkpoint (<c>checkpoint</c>) covering
/// positions <c>FromPosition</c> to <c>ToPosition</c> (the head, with its hash). Recorded after the copy was made, so the
/// record itself is the first event the copy does not hold.
/// </summary>
public sealed record AuditLogExported(string Kind, long FromPosition, long ToPosition, string ToHash, string ExportedBy, DateTimeOffset ExportedAt);

/// <summary>Records audit-trail events, each in a stream of its own so that recording never races or changes another stream.</summary>
public static class AuditTrail
{
    public static readonly IReadOnlyList<Type> EventTypes = [typeof(CommandRefused), typeof(AuditLogExported)];

    public static async Task RecordAsync(IEventStore store, EventMetadata metadata, object @event, CancellationToken ct = default)
    {
        await using var session = store.OpenSession(metadata);
        session.StartStream(Guid.CreateVersion7(), @event);
        await session.SaveChangesAsync(ct);
    }
}
