using ReleaseGateway.EventStore.Chain;

namespace ReleaseGateway.EventStore.Verification;

/// <summary>What kind of damage verification found.</summary>
public enum TamperKind
{
    /// <summary>An event's content no longer hashes to its stored hash.</summary>
    BodyAltered,
    /// <summary>An event's previous hash is not the hash of the event before it.</summary>
    LinkBroken,
    /// <summary>A position is missing (an event was deleted).</summary>
    PositionGap,
    /// <summary>Events appear out of their chained order.</summary>
    Reordered,
    /// <summary>The log ends before a signed checkpoint's position: its tail was cut.</summary>
    Truncated,
    /// <summary>The event at a signed checkpoint's position has another hash: history was rewritten.</summary>
    CheckpointMismatch,
    /// <summary>The checkpoint's signature does not verify with the trusted key.</summary>
    CheckpointSignatureInvalid,
    /// <summary>The checkpoint carries no valid co-signature of a witness key the verifier requires.</summary>
    CheckpointNotWitnessed,
    /// <summary>A record could not be read at all.</summary>
    Malformed,
}

/// <summary>Outcome of a walk over the chain.</summary>
public sealed record VerificationResult(bool Intact, long EventCount, long HeadPosition, string HeadHash, long? FailedPosition = null, TamperKind? Kind = null, string? Reason = null)
{
    public override string ToString() => Intact
        ? $"OK: {EventCount} events, head position {HeadPosition}, head hash {HeadHash}"
        : $"TAMPERED at position {FailedPosition}: {Kind}: {Reason}";
}

/// <summary>
/// Walks a chain in position order and reports the first damaged position and why. Needs nothing but
/// the records (and, to detect a cut tail or a re-hashed suffix, a signed checkpoint): it runs the same
/// on the live database and on an offline export. The algorithm is specified in audit/CANONICAL-ENCODING.md.
/// </summary>
public static class ChainVerifier
{
    // On a broken link, how far ahead to look for the event the link points to (to tell reordering from forgery).
    private const int ReorderLookahead = 10_000;

    /// <summary>
    /// Verifies the live log. With a checkpoint, its signature is checked first with <paramref name="trustedKey"/>, and
    /// its co-signature by each of <paramref name="witnessKeys"/> (ADR 0030); a checkpoint that does not verify is
    /// itself reported as tampering.
    /// </summary>
    public static async Task<VerificationResult> VerifyStoreAsync(IEventStore store, SignedCheckpoint? checkpoint = null, AuditSigningKey? trustedKey = null,
        IReadOnlyList<AuditSigningKey>? witnessKeys = null, CancellationToken cancellationToken = default)
    {
        if (checkpoint is not null && CheckSignatures(checkpoint, trustedKey, witnessKeys ?? []) is { } refused) return refused;
        return await VerifyAsync(RawEvents(store, cancellationToken), checkpoint, cancellationToken);
    }

    /// <summary>The failure when the checkpoint's own signature or a required witness signature does not verify; else null.</summary>
    public static VerificationResult? CheckSignatures(SignedCheckpoint checkpoint, AuditSigningKey? trustedKey, IReadOnlyList<AuditSigningKey> witnessKeys)
    {
        ArgumentNullException.ThrowIfNull(trustedKey);
        if (!checkpoint.VerifySignature(trustedKey))
            return new VerificationResult(false, 0, 0, ChainHead.GenesisHash, checkpoint.Position, TamperKind.CheckpointSignatureInvalid,
                $"the checkpoint's signature does not verify with key {trustedKey.KeyId} (checkpoint names key {checkpoint.KeyId})");
        foreach (var witness in witnessKeys)
            if (!checkpoint.IsWitnessedBy(witness))
                return new VerificationResult(false, 0, 0, ChainHead.GenesisHash, checkpoint.Position, TamperKind.CheckpointNotWitnessed,
                    $"the checkpoint carries no valid signature of witness key {witness.KeyId}: the gateway's own signature alone does not prove the tail was not cut");
        return null;
    }

    /// <summary>Reads events without deserializing bodies: verification must work for event types this build does not know.</summary>
    internal static IAsyncEnumerable<StoredEvent> RawEvents(IEventStore store, CancellationToken cancellationToken) =>
        store is Storage.RelationalEventStore relational ? relational.ReadAllAsync(1, deserialize: false, cancellationToken) : store.ReadAllAsync(1, cancellationToken);

    public static async Task<VerificationResult> VerifyAsync(IAsyncEnumerable<StoredEvent> events, SignedCheckpoint? checkpoint = null, CancellationToken cancellationToken = default)
    {
        long count = 0, expected = 1;
        var previousHash = ChainHead.GenesisHash;
        await using var e = events.GetAsyncEnumerator(cancellationToken);
        while (await e.MoveNextAsync())
        {
            var current = e.Current;
            VerificationResult Fail(TamperKind kind, string reason) => new(false, count, expected - 1, previousHash, current.Position, kind, reason);

            if (current.Position > expected)
                return Fail(TamperKind.PositionGap, $"expected position {expected}, found {current.Position}: {current.Position - expected} event(s) missing") with { FailedPosition = expected };
            if (current.Position < expected)
                return Fail(TamperKind.Reordered, $"position {current.Position} appears after position {expected - 1}");
            if (!string.Equals(current.PreviousHash, previousHash, StringComparison.Ordinal))
            {
                var later = await FindLaterEventWithHashAsync(e, current.PreviousHash);
                return later is { } p
                    ? Fail(TamperKind.Reordered, $"the event at position {current.Position} was chained after the event now at position {p}")
                    : Fail(TamperKind.LinkBroken, $"previous hash {Short(current.PreviousHash)} is not the hash {Short(previousHash)} of position {expected - 1}");
            }
            string computed;
            try { computed = CanonicalEncoding.ComputeHash(current); }
            catch (FormatException x) { return Fail(TamperKind.Malformed, x.Message); }
            if (!string.Equals(computed, current.Hash, StringComparison.Ordinal))
                return Fail(TamperKind.BodyAltered, $"content hashes to {Short(computed)} but the stored hash is {Short(current.Hash)}");
            if (checkpoint is not null && current.Position == checkpoint.Position && !string.Equals(current.Hash, checkpoint.Hash, StringComparison.Ordinal))
                return Fail(TamperKind.CheckpointMismatch, $"hash {Short(current.Hash)} differs from the signed checkpoint's {Short(checkpoint.Hash)}: history up to here was rewritten");

            previousHash = current.Hash;
            count++;
            expected++;
        }

        if (checkpoint is not null && expected - 1 < checkpoint.Position)
            return new VerificationResult(false, count, expected - 1, previousHash, expected, TamperKind.Truncated,
                $"the log ends at position {expected - 1} but a signed checkpoint vouches for position {checkpoint.Position}");
        return new VerificationResult(true, count, expected - 1, previousHash);
    }

    private static async Task<long?> FindLaterEventWithHashAsync(IAsyncEnumerator<StoredEvent> e, string hash)
    {
        for (var i = 0; i < ReorderLookahead && await e.MoveNextAsync(); i++)
            if (string.Equals(e.Current.Hash, hash, StringComparison.Ordinal)) return e.Current.Position;
        return null;
    }

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] + "…" : hash;
}
