using ReleaseGateway.EventStore;
using ReleaseGateway.Requests;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Datasets.Lifecycle;
using ReleaseGateway.Requests.Policies;

namespace ReleaseGateway.Releases.Budget;

/// <summary>
/// Restarts the dataset's ledger in the same commit as a new version whose policy says so (ADR 0057). An uncharged
/// reservation would be stranded by the restart, so it refuses then (the requests module already refuses while one is in flight).
/// </summary>
internal sealed class LedgerRestartHook(PrivacyBudgetLedgers ledgers) : IDatasetVersionHook
{
    public async Task StageAsync(IEventSession session, DatasetDetails dataset, DatasetVersionUploaded version, CancellationToken ct)
    {
        if (version.Ledger != VersionLedger.Restart) return;
        var ledger = await ledgers.LoadAsync(dataset.Id, ct);
        if (ledger.Entries.Values.Any(e => !e.Charged))
            throw new RequestRefusedException(RequestErrors.ReleaseInFlight(dataset.Name, ledger.Entries.Values.Count(e => !e.Charged)));
        PrivacyBudgetLedgers.Stage(session, ledger,
            new PrivacyBudgetLedgerRestarted(dataset.Id, version.SourceVersion, version.LedgerReason, version.UploadedBy, version.UploadedAt));
    }
}
