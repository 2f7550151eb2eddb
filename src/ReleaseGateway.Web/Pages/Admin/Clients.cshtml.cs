using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Identity.Users;
using ReleaseGateway.Problems;
using ReleaseGateway.Web.Admin;
using ReleaseGateway.Web.Authorization;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages.Admin;

public sealed class AddClientForm
{
    public string? Name { get; set; }
    public List<string> Roles { get; set; } = [];
}

public sealed class AddClientFormValidator : AbstractValidator<AddClientForm>
{
    public AddClientFormValidator()
    {
        RuleFor(f => f.Name).NotEmpty().WithMessage("Name the client, e.g. 'Ward 7 export pipeline'.").MaximumLength(200);
        RuleFor(f => f.Roles).NotEmpty().WithMessage("Choose at least one role the client acts in.");
    }
}

/// <summary>The OAuth clients (the command line, the web interface, service clients); registering one runs <c>rgw clients add</c>'s command.</summary>
[Authorize(Policy = WebPolicies.Admin)]
public sealed class ClientsModel(UserAdministration administration) : GatewayPageModel
{
    private static readonly AddClientFormValidator Validator = new();

    public IReadOnlyList<ClientSummary> Clients { get; private set; } = [];

    [BindProperty]
    public AddClientForm Form { get; set; } = new();

    /// <summary>The client just registered with its secret, shown on this response only.</summary>
    public RegisteredClient? Registered { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => Clients = await administration.ListClientsAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (UnboundForm() is { } unbound) return unbound;
        await TryAsync(async () =>
        {
            Validator.ValidateAndThrow(Form);
            await IdentityRefusals.Run(async () => Registered = await administration.RegisterServiceClientAsync(Form.Name!.Trim(), Form.Roles,
                HttpContext.GetEventMetadata(Roles.Administrator), ct));
        }, nameof(Form), refusalField: refusal => refusal.Code == ErrorCodes.UnknownRole ? $"{nameof(Form)}.{nameof(AddClientForm.Roles)}" : null);
        if (Registered is not null) Form = new AddClientForm();
        Clients = await administration.ListClientsAsync(ct);
        return Page();
    }
}
