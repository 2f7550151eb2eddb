using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Datasets.UploadSourceTable;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Web.Authorization;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages.Datasets;

/// <summary>The steward's upload of a dataset's source table, through the module's command (validation, encryption, event).</summary>
[Authorize(Policy = WebPolicies.Steward)]
[SourceUploadLimits]
public sealed class UploadModel(IEventStore store) : GatewayPageModel
{
    [FromRoute]
    public Guid Id { get; set; }

    [BindProperty]
    public IFormFile? Table { get; set; }

    public DatasetDetails Dataset { get; private set; } = null!;

    public IReadOnlyList<string> Columns { get; private set; } = [];

    public IReadOnlyList<CsvProblem> Problems { get; private set; } = [];

    public bool Truncated { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        if (Table is not { Length: > 0 } table)
        {
            ModelState.AddModelError(nameof(Table), "Choose the CSV file to upload.");
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        try
        {
            await using var csv = table.OpenReadStream();
            if (await TryAsync(() => DatasetCommands.UploadSourceTableAsync(HttpContext, Id, csv, table.Length, ct), nameof(Table)))
                return Redirect($"/ui/datasets/{Id}?uploaded=true");
        }
        catch (CsvValidationException e)
        {
            Problems = e.Problems;
            Truncated = e.Truncated;
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        catch (UploadTooLargeException e)
        {
            ModelState.AddModelError(nameof(Table), $"The file is larger than the upload limit of {e.Limit:N0} bytes; nothing was stored.");
            Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        }
        return Page();
    }

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        if (await store.LoadAsync<DatasetDetails>(Id, ct) is not { } dataset) return false;
        Dataset = dataset;
        Columns = DatasetSchema.Parse(dataset.SchemaJson).Columns.Select(c => c.Name).ToList();
        return true;
    }
}
