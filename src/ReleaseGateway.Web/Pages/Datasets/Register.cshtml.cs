using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
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
}

/// <summary>Registers a dataset through the module's command; the schema's problems come back with their JSON path.</summary>
[Authorize(Policy = WebPolicies.Steward)]
public sealed class RegisterModel(DatasetCommands commands, ReleaseGateway.Requests.Policies.PolicyCatalog policies) : GatewayPageModel
{
    /// <summary>The policies a new dataset can fall under: its own (policies/NAME.yaml) or the default, with their limits.</summary>
    public ReleaseGateway.Requests.Policies.PolicyCatalog Policies => policies;

    // The module's own limit on a schema document.
    private const int MaxSchemaBytes = 1_000_000;

    private static readonly Dictionary<string, string> Fields = new(StringComparer.Ordinal) { ["SchemaJson"] = nameof(RegisterForm.Schema) };

    [BindProperty]
    public RegisterForm Form { get; set; } = new();

    [BindProperty]
    public IFormFile? SchemaFile { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (SchemaFile is { Length: > 0 } file)
        {
            if (file.Length > MaxSchemaBytes)
            {
                ModelState.AddModelError($"{nameof(Form)}.{nameof(RegisterForm.Schema)}", $"The schema file is larger than {MaxSchemaBytes:N0} bytes.");
                Response.StatusCode = StatusCodes.Status400BadRequest;
                return Page();
            }
            using var reader = new StreamReader(file.OpenReadStream(), Encoding.UTF8);
            Form.Schema = await reader.ReadToEndAsync(ct);
        }
        DatasetDetails? registered = null;
        return await TryAsync(async () => registered = await commands.RegisterAsync(Caller, Form.Name ?? "", Form.Description ?? "",
                    Form.Owner ?? "", Form.Schema ?? "", ct), nameof(Form), Fields,
                refusal => refusal.Code switch
                {
                    ErrorCodes.InvalidSchema or ErrorCodes.PersonKeyRequired => $"{nameof(Form)}.{nameof(RegisterForm.Schema)}",
                    ErrorCodes.DatasetNameTaken => $"{nameof(Form)}.{nameof(RegisterForm.Name)}",
                    _ => null,
                })
            ? Redirect($"/ui/datasets/{registered!.Id}")
            : Page();
    }
}
