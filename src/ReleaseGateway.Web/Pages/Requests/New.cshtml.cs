using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using ReleaseGateway.EventStore;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Requests;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Datasets.GetDataset;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Web.Authorization;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages.Requests;

/// <summary>
/// Choose a dataset, then fill in the terms. The submission carries a key made when the form was shown, the API's
/// Idempotency-Key: sending the same form twice (a double click, a reload) makes one request.
/// </summary>
[Authorize(Policy = WebPolicies.Researcher)]
public sealed class NewModel(IEventStore store, PolicyCatalog policies, BudgetLedgerViews ledgers, AccessRequestCommands commands) : GatewayPageModel
{
    [BindProperty(SupportsGet = true, Name = "dataset")]
    public Guid? DatasetId { get; set; }

    [BindProperty]
    public TermsForm Form { get; set; } = new();

    [BindProperty]
    public string? SubmissionKey { get; set; }

    public IReadOnlyList<DatasetView> Datasets { get; private set; } = [];

    public DatasetView? Dataset { get; private set; }

    /// <summary>ε still available on each dataset's budget ledger (at the cap's δ): what a new release could still be granted.</summary>
    public IReadOnlyDictionary<Guid, double> RemainingEpsilon { get; private set; } = new Dictionary<Guid, double>();

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (DatasetId is null)
        {
            // A retired dataset takes no new request (ADR 0057): it is not offered.
            Datasets = (await DatasetQueries.ListAsync(store, policies, Actor.Roles, ct)).Where(d => !d.Dataset.IsRetired).ToList();
            var remaining = new Dictionary<Guid, double>();
            foreach (var d in Datasets)
                remaining[d.Dataset.Id] = (await ledgers.GetAsync(d.Dataset, ct)).RemainingEpsilon;
            RemainingEpsilon = remaining;
            return Page();
        }
        if (!await LoadDatasetAsync(ct)) return NotFound();
        SubmissionKey = Guid.NewGuid().ToString("N");
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (DatasetId is not { } datasetId || !await LoadDatasetAsync(ct)) return NotFound();
        if (UnboundForm() is { } unbound) return unbound;
        SubmittedAccessRequest? submitted = null;
        return await TryAsync(async () => submitted = await commands.SubmitAsync(Caller, Form.ToBody(datasetId), SubmissionKey, ct), "Form")
            ? Redirect($"/ui/requests/{submitted!.Details.Id}?done=submitted")
            : Page();
    }

    private async Task<bool> LoadDatasetAsync(CancellationToken ct)
    {
        try
        {
            Dataset = await TermsForm.DatasetAsync(store, policies, ledgers, DatasetId!.Value, Actor.Roles, ViewData, ct);
            return true;
        }
        catch (RequestRefusedException)
        {
            return false;
        }
    }
}
