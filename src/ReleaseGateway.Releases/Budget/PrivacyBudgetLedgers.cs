using ReleaseGateway.EventStore;

namespace ReleaseGateway.Releases.Budget;

/// <summary>Loads ledgers and writes their decisions with optimistic concurrency on the ledger stream.</summary>
public sealed class PrivacyBudgetLedgers(IEventStore store)
{
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
}
