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

public sealed class AddUserForm
{
    public string? Email { get; set; }
    public List<string> Roles { get; set; } = [];
}

public sealed class AddUserFormValidator : AbstractValidator<AddUserForm>
{
    public AddUserFormValidator()
    {
        RuleFor(f => f.Email).NotEmpty().WithMessage("Type the person's e-mail address; it is their sign-in name.")
            .EmailAddress().WithMessage("This is not an e-mail address.").MaximumLength(256);
        RuleFor(f => f.Roles).NotEmpty().WithMessage("Choose at least one role.");
    }
}

/// <summary>Every user with roles, state and last sign-in; adding one runs the command <c>rgw users add</c> runs.</summary>
[Authorize(Policy = WebPolicies.Admin)]
public sealed class UsersModel(UserAdministration administration) : GatewayPageModel
{
    private static readonly AddUserFormValidator Validator = new();

    public IReadOnlyList<UserSummary> Users { get; private set; } = [];

    [BindProperty]
    public AddUserForm Form { get; set; } = new();

    /// <summary>The account just created and its one-time password, shown on this response only.</summary>
    public (string Email, Guid Id, string OneTimePassword)? Created { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => Users = await administration.ListUsersAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (UnboundForm() is { } unbound) return unbound;
        await TryAsync(async () =>
        {
            Validator.ValidateAndThrow(Form);
            await IdentityRefusals.Run(async () =>
            {
                var created = await administration.CreateUserAsync(Form.Email!.Trim(), Form.Roles, password: null,
                    HttpContext.GetEventMetadata(Roles.Administrator), ct);
                Created = (Form.Email.Trim(), created.Id, created.OneTimePassword!);
            });
        }, nameof(Form), refusalField: refusal => refusal.Code switch
        {
            ErrorCodes.UserAlreadyExists => $"{nameof(Form)}.{nameof(AddUserForm.Email)}",
            ErrorCodes.UnknownRole or ErrorCodes.SecondAdministratorRequired => $"{nameof(Form)}.{nameof(AddUserForm.Roles)}",
            _ => null,
        });
        if (Created is not null) Form = new AddUserForm();
        Users = await administration.ListUsersAsync(ct);
        return Page();
    }
}
