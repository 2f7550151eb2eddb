using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Datasets.Lifecycle;
using ReleaseGateway.Requests.Datasets.UploadSourceTable;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Web.Authorization;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages.Datasets;

/// <summary>
/// The steward's lifecycle of a dataset (ADR 0057): a new version, another policy for new requests, retirement, each through
/// the module's command (validation, refusal with nothing stored, an event), and the dataset's history.
/// </summary>
[Authorize(Policy = WebPolicies.Steward)]
[SourceUploadLimits]
public sealed class LifecycleModel(IEventStore store, PolicyCatalog policies, DatasetLifecycleCommands commands) : GatewayPageModel
{
    [FromRoute]
    public Guid Id { get; set; }

    [BindProperty]
    public IFormFile? Table { get; set; }

    [BindProperty]
    public string? Reason { get; set; }

    [BindProperty]
    public string? Policy { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Done { get; set; }

    public DatasetDetails Dataset { get; private set; } = null!;

    public DatasetPolicy Current { get; private set; } = null!;

    public IReadOnlyList<string> Policies => [.. policies.All.Keys.Order(StringComparer.Ordinal)];

    public IReadOnlyList<DatasetHistoryEntry> History { get; private set; } = [];

    /// <summary>Only the registering steward changes the dataset (the commands check it again).</summary>
    public bool IsSteward { get; private set; }

    public IReadOnlyList<CsvProblem> Problems { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostVersionAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        if (Table is not { Length: > 0 } table)
        {
            ModelState.AddModelError("Version.Table", "Choose the CSV file of the new version.");
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        try
        {
            await using var csv = table.OpenReadStream();
            if (await TryAsync(() => commands.UploadVersionAsync(Caller, Id, new UploadDatasetVersion(Reason ?? ""), csv, table.Length, ct), "Version"))
                return Redirect($"/ui/datasets/{Id}/lifecycle?done=version");
        }
        catch (CsvValidationException e)
        {
            Problems = e.Problems;
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        catch (UploadTooLargeException e)
        {
            ModelState.AddModelError("Version.Table", $"The file is larger than the upload limit of {e.Limit:N0} bytes; nothing was stored.");
            Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        }
        return await RedisplayAsync(() => LoadAsync(ct));
    }

    public async Task<IActionResult> OnPostPolicyAsync(CancellationToken ct) =>
        await TryAsync(() => commands.ChangePolicyAsync(Caller, Id, new ChangeDatasetPolicy(Policy ?? "", Reason ?? ""), ct), "Policy")
            ? Redirect($"/ui/datasets/{Id}/lifecycle?done=policy")
            : await RedisplayAsync(() => LoadAsync(ct));

    public async Task<IActionResult> OnPostRetireAsync(CancellationToken ct) =>
        await TryAsync(() => commands.RetireAsync(Caller, Id, new RetireDataset(Reason ?? ""), ct), "Retire")
            ? Redirect($"/ui/datasets/{Id}/lifecycle?done=retire")
            : await RedisplayAsync(() => LoadAsync(ct));

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        if (await store.LoadAsync<DatasetDetails>(Id, ct) is not { } dataset) return false;
        Dataset = DatasetQueries.VisibleTo(dataset, Actor.Roles);
        Current = policies.Of(dataset);
        IsSteward = dataset.RegisteredBy == Actor.Id;
        History = await DatasetHistory.OfAsync(store, Id, Actor.Roles, ct);
        return true;
    }
}
