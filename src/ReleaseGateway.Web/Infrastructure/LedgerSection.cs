using Microsoft.AspNetCore.Http;
using ReleaseGateway.EventStore;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;
using ReleaseGateway.Requests.Datasets;

namespace ReleaseGateway.Web.Infrastructure;

/// <summary>
/// A dataset's budget ledger as the ledger page shows it: the ledger (replayed from its stream), one page of the release
/// attempts that reserved or spent it (newest first) with their requests' titles and download counts, and one page of
/// the ledger's history (the chart's numbers). Without pages (<see cref="Entries"/> null) it is the summary and the chart.
/// </summary>
public sealed record LedgerSection(
    DatasetDetails Dataset, BudgetLedgerView Ledger, DateTimeOffset Now,
    Paged<LedgerLine>? Entries = null, Pager? EntriesPager = null, Paged<LedgerPoint>? History = null, Pager? HistoryPager = null,
    IReadOnlyDictionary<Guid, ReleaseDetails>? Releases = null, IReadOnlyDictionary<Guid, string>? RequestTitles = null)
{
    public const string HistoryPage = "points";

    public static async Task<LedgerSection> SummaryAsync(BudgetLedgerViews ledgers, DatasetDetails dataset, DateTimeOffset now, CancellationToken ct) =>
        new(dataset, await ledgers.GetAsync(dataset, ct), now);

    public static async Task<LedgerSection> LoadAsync(IEventStore store, BudgetLedgerViews ledgers, DatasetDetails dataset, HttpRequest request,
        DateTimeOffset now, CancellationToken ct)
    {
        var ledger = await ledgers.GetAsync(dataset, ct);
        var entries = Paged<LedgerLine>.Of([.. ledger.Entries.Reverse()], RequestTable.PageNumber(request));
        var history = Paged<LedgerPoint>.Of([.. ledger.History.Reverse()],
            int.TryParse(request.Query[HistoryPage], System.Globalization.CultureInfo.InvariantCulture, out var p) ? p : 1);
        var releases = (await ReleaseQueries.OfRequestsAsync(store, entries.Items.Select(e => e.RequestId).ToHashSet(), ct)).ToDictionary(r => r.Id);
        var titles = new Dictionary<Guid, string>();
        foreach (var requestId in entries.Items.Select(e => e.RequestId).Distinct())
            if (await store.LoadAsync<AccessRequestDetails>(requestId, ct) is { } details) titles[requestId] = details.Terms.Title;
        return new LedgerSection(dataset, ledger, now, entries, entries.Pager(request) with { Fragment = "#ledger-releases" }, history,
            history.Pager(request) with { PageParameter = HistoryPage, Fragment = "#ledger-history" }, releases, titles);
    }
}
