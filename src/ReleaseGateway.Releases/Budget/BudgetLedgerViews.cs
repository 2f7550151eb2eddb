using System.Collections.Concurrent;
using ReleaseGateway.EventStore;
using ReleaseGateway.Requests;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Policies;

namespace ReleaseGateway.Releases.Budget;

/// <summary>
/// Datasets' ledger views, rebuilt only when their ledger stream has moved: a view is a pure function of the stream's
/// events and the policy's cap, so one built at a stream version stays right until the next event (in any process).
/// The newest version is one indexed read; replaying the stream converts every point of the history to (ε, δ).
/// </summary>
public sealed class BudgetLedgerViews(IEventStore store, PolicyCatalog policies)
{
    private readonly ConcurrentDictionary<Guid, (long Version, BudgetCap Cap, BudgetLedgerView View)> _views = new();

    /// <summary>The ledger of <paramref name="datasetId"/> under its policy's cap; "dataset not found" (RG2xxx) when there is none.</summary>
    public async Task<BudgetLedgerView> GetAsync(Guid datasetId, CancellationToken ct)
    {
        var dataset = await store.LoadAsync<DatasetDetails>(datasetId, ct)
            ?? throw new RequestRefusedException(RequestErrors.DatasetNotFound(datasetId.ToString()));
        return await GetAsync(dataset, ct);
    }

    public async Task<BudgetLedgerView> GetAsync(DatasetDetails dataset, CancellationToken ct)
    {
        var cap = BudgetCap.Of(policies.Of(dataset));
        var stream = PrivacyBudgetLedger.StreamIdFor(dataset.Id);
        var newest = await store.QueryEventsAsync(new EventQuery { StreamIds = [stream], Limit = 1 }, ct);
        var version = newest.Events.Count == 0 ? 0 : newest.Events[0].StreamVersion;
        if (_views.TryGetValue(dataset.Id, out var cached) && cached.Version == version && cached.Cap == cap) return cached.View;
        var events = await store.FetchStreamAsync(stream, ct);
        var view = BudgetLedgerView.Build(dataset.Id, cap, events);
        _views[dataset.Id] = (events.Count == 0 ? 0 : events[^1].StreamVersion, cap, view);
        return view;
    }
}
