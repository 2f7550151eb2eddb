using ReleaseGateway.EventStore;

namespace ReleaseGateway.Releases.Budget;

/// <summary>Loads ledgers and writes their decisions with optimistic concurrency on the ledger stream.</summary>
public sealed class PrivacyBudgetLedgers(IEventStore store, TimeProvider time)
{
    // Enough for every approver of a busy committee to land; each retry reloads the ledger, so a refusal is always current.
    private const int MaxAttempts = 64;

    public static void Register(EventStoreOptions options)
    {
        foreach (var type in PrivacyBudgetEventTypes.All) options.Events.Register(type);
    }

    public async Task<PrivacyBudgetLedger> LoadAsync(Guid datasetId, CancellationToken cancellationToken = default) =>
        PrivacyBudgetLedger.Rebuild(datasetId, await store.FetchStreamAsync(PrivacyBudgetLedger.StreamIdFor(datasetId), cancellationToken));

    /// <summary>
    /// Stages the reservation in <paramref name="session"/> (so it commits atomically with, say, the approval that
    /// caused it) at the ledger version it was decided on; a concurrent reservation makes the whole session fail
    /// with <see cref="StreamVersionConflictException"/>, and the caller decides again on fresh state.
    /// </summary>
    public static void Stage(IEventSession session, PrivacyBudgetLedger ledger, object @event) =>
        session.Append(PrivacyBudgetLedger.StreamIdFor(ledger.DatasetId), ledger.Version, @event);

    /// <summary>Reserves on its own (no other stream involved), retrying on concurrent writers.</summary>
    public async Task<BudgetDecision> ReserveAsync(Guid datasetId, BudgetCap cap, Guid releaseId, Guid requestId, double epsilon, double releaseDelta,
        EventMetadata metadata, CancellationToken cancellationToken = default)
    {
        var cost = PrivacyCost.ForZcdpRelease(epsilon, releaseDelta);
        for (var attempt = 1; ; attempt++)
        {
            var ledger = await LoadAsync(datasetId, cancellationToken);
            var decision = ledger.Reserve(cap, releaseId, requestId, cost, epsilon, releaseDelta, metadata.ActorId, time.GetUtcNow());
            if (decision.Reserved is null) return decision;
            try
            {
                await using var session = store.OpenSession(metadata);
                Stage(session, ledger, decision.Reserved);
                await session.SaveChangesAsync(cancellationToken);
                return decision;
            }
            catch (StreamVersionConflictException) when (attempt < MaxAttempts)
            {
            }
        }
    }
}
