using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using ReleaseGateway.EventStore;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.AccessRequests.ListMyRequests;
using ReleaseGateway.Requests.Workflows;
using ReleaseGateway.Web.Authorization;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages.Committee;

/// <summary>
/// Every request a committee member may review, open or decided, filtered by state, most recent change first; each links
/// to its page with the timeline (votes, reasons, the pipeline's steps).
/// </summary>
[Authorize(Policy = WebPolicies.Committee)]
public sealed class RequestsModel(IEventStore store, WorkflowCatalog workflows, BudgetLedgerViews ledgers, UserDirectory names) : GatewayPageModel
{
    [BindProperty(SupportsGet = true, Name = "state")]
    public string? StateFilter { get; set; }

    /// <summary>Every state of the workflows, in their order, for the filter.</summary>
    public IReadOnlyList<string> States { get; private set; } = [];

    public RequestTable Table { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct)
    {
        States = workflows.All.Values.SelectMany(w => w.States).Select(s => s.Name).Distinct(StringComparer.Ordinal).ToList();
        if (StateFilter is { Length: > 0 } state && !States.Contains(state, StringComparer.Ordinal)) StateFilter = null;
        var requests = await AccessRequestQueries.ForCommitteeMemberAsync(store, Actor, StateFilter is { Length: > 0 } s ? [s] : null, ct);
        Table = await (await RequestTable.ForAsync(store, Request, requests.Select(AccessRequestSummary.Of).ToList(),
            StateFilter is null ? "No request yet." : "No request in this state.", ct))
            .WithCommitteeFactsAsync(store, ledgers, names, Actor, ct);
    }
}
