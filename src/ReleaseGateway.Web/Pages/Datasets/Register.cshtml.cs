using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.EventStore;
using ReleaseGateway.Problems;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Web.Authorization;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages.Datasets;

public sealed class RegisterForm
{
    public string? Name { get; set; }
    public string? Description { get; set; }
    public string? Owner { get; set; }
    public string? Schema { get; set; }

    /// <summary><c>columns</c>: the schema is built column by column; anything else: <see cref="Schema"/> is the JSON document.</summary>
    public string? Mode { get; set; }

    public List<SchemaColumnForm> Columns { get; set; } = [];

    /// <summary>The schema's <c>outOfDomain</c> keyword: error or clip.</summary>
    public string OutOfDomain { get; set; } = "error";
}

/// <summary>
/// Registers a dataset through the module's command. The schema is built column by column or written as JSON by an
/// expert; both reach the command as the same document, and its problems come back beside the field their JSON path names.
/// </summary>
[Authorize(Policy = WebPolicies.Steward)]
public sealed class RegisterModel(DatasetCommands commands, ReleaseGateway.Requests.Policies.PolicyCatalog policies, IEventStore store) : GatewayPageModel
{
    public const string ColumnsMode = "columns";

    /// <summary>The policies a new dataset can fall under: its own (policies/NAME.yaml) or the default, with their limits.</summary>
    public ReleaseGateway.Requests.Policies.PolicyCatalog Policies => policies;

    // The module's own limit on a schema document.
    private const int MaxSchemaBytes = 1_000_000;

    private const string SchemaField = $"{nameof(Form)}.{nameof(RegisterForm.Schema)}";
    private const string ColumnsField = $"{nameof(Form)}.{nameof(RegisterForm.Columns)}";

    private static readonly Dictionary<string, string> Fields = new(StringComparer.Ordinal) { ["SchemaJson"] = nameof(RegisterForm.Schema) };

    [BindProperty]
    public RegisterForm Form { get; set; } = new();

    [BindProperty]
    public IFormFile? SchemaFile { get; set; }

    /// <summary>A dataset whose schema the form starts from ("register one like this").</summary>
    [BindProperty(SupportsGet = true, Name = "from")]
    public Guid? From { get; set; }

    public bool BuildsColumns => Form.Mode == ColumnsMode;

    public async Task OnGetAsync(CancellationToken ct)
    {
        Form.Mode = ColumnsMode;
        if (From is { } id && await store.LoadAsync<DatasetDetails>(id, ct) is { } dataset)
        {
            (Form.Columns, Form.OutOfDomain) = SchemaBuilder.FromJson(dataset.SchemaJson);
            Form.Owner = dataset.Owner;
        }
        if (Form.Columns.Count == 0) Form.Columns.Add(new SchemaColumnForm());
    }

    public IActionResult OnPostAddColumn()
    {
        Form.Columns.Add(new SchemaColumnForm());
        return Rebuilt();
    }

    public IActionResult OnPostRemoveColumn(int index)
    {
        if (index >= 0 && index < Form.Columns.Count) Form.Columns.RemoveAt(index);
        if (Form.Columns.Count == 0) Form.Columns.Add(new SchemaColumnForm());
        return Rebuilt();
    }

    /// <summary>For experts: the columns built so far as the JSON document, to edit as text.</summary>
    public IActionResult OnPostEditJson()
    {
        Form.Schema = SchemaBuilder.ToJson(Form.Columns, Form.OutOfDomain);
        Form.Mode = null;
        return Rebuilt();
    }

    /// <summary>The JSON document back in columns; a document the schema refuses stays as text, with the reason beside it.</summary>
    public IActionResult OnPostEditColumns()
    {
        ModelState.Clear();
        try
        {
            (Form.Columns, Form.OutOfDomain) = SchemaBuilder.FromJson(Form.Schema ?? "");
            Form.Mode = ColumnsMode;
        }
        catch (SchemaException e)
        {
            ModelState.AddModelError(SchemaField, e.Message);
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (SchemaFile is { Length: > 0 } file)
        {
            if (file.Length > MaxSchemaBytes)
            {
                ModelState.AddModelError(SchemaField, $"The schema file is larger than {MaxSchemaBytes:N0} bytes.");
                Response.StatusCode = StatusCodes.Status400BadRequest;
                return Page();
            }
            using var reader = new StreamReader(file.OpenReadStream(), Encoding.UTF8);
            Form.Schema = await reader.ReadToEndAsync(ct);
            Form.Mode = null;
        }
        else if (BuildsColumns)
        {
            Form.Schema = SchemaBuilder.ToJson(Form.Columns, Form.OutOfDomain);
        }
        ModelState.Clear();
        DatasetDetails? registered = null;
        return await TryAsync(async () => registered = await commands.RegisterAsync(Caller, Form.Name ?? "", Form.Description ?? "",
                    Form.Owner ?? "", Form.Schema ?? "", ct), nameof(Form), Fields,
                refusal => refusal.Code switch
                {
                    ErrorCodes.InvalidSchema or ErrorCodes.PersonKeyRequired =>
                        BuildsColumns ? SchemaBuilder.FieldOf(refusal.Detail, Form.Columns, ColumnsField) ?? ColumnsField : SchemaField,
                    ErrorCodes.DatasetNameTaken => $"{nameof(Form)}.{nameof(RegisterForm.Name)}",
                    _ => null,
                })
            ? Redirect($"/ui/datasets/{registered!.Id}")
            : Page();
    }

    // The posted values are what the page shows again, not the ones bound before the change.
    private PageResult Rebuilt()
    {
        ModelState.Clear();
        return Page();
    }
}
