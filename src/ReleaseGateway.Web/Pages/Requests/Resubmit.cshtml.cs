using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using ReleaseGateway.EventStore;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Requests;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;
using ReleaseGateway.Requests.Datasets.GetDataset;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Web.Authorization;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages.Requests;

/// <summary>The researcher's revised terms after changes were asked for, prefilled with the current ones.</summary>
[Authorize(Policy = WebPolicies.Researcher)]
public sealed class ResubmitModel(IEventStore store, PolicyCatalog policies, BudgetLedgerViews ledgers, AccessRequestCommands commands) : GatewayPageModel
{
    [FromRoute]
    public Guid Id { get; set; }

    [BindProperty]
    public TermsForm Form { get; set; } = new();

    public AccessRequestDetails Current { get; private set; } = null!;

    public DatasetView Dataset { get; private set; } = null!;

    /// <summary>The reason given with the latest request for changes.</summary>
    public string? ChangesAsked => Current.Timeline.LastOrDefault(e => e.Event == nameof(AccessRequestChangesRequested))?.Detail;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        Form = TermsForm.From(Current.Terms);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        if (UnboundForm() is { } unbound) return unbound;
        return await TryAsync(() => commands.ResubmitAsync(Caller, Id, Form.ToTerms(), ct), "Form")
            ? Redirect($"/ui/requests/{Id}?done=resubmitted")
            : Page();
    }

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        try
        {
            Current = await AccessRequestQueries.DetailsForAsync(store, Actor, Id, ct);
            Dataset = await TermsForm.DatasetAsync(store, policies, ledgers, Current.DatasetId, Actor.Roles, ViewData, ct);
            return true;
        }
        catch (RequestRefusedException)
        {
            return false;
        }
    }
}
