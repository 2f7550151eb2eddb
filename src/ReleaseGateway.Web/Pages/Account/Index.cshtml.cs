using Microsoft.AspNetCore.Mvc;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Identity.Users;
using ReleaseGateway.Web.Admin;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages.Account;

/// <summary>The signed-in person's own account: password, authenticator app, recovery codes.</summary>
public sealed class IndexModel(OwnAccount account) : GatewayPageModel
{
    public OwnAccountStatus Status { get; private set; } = null!;

    /// <summary>Recovery codes just issued, shown on this response only.</summary>
    public IReadOnlyList<string>? RecoveryCodes { get; private set; }

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : Denied();

    public async Task<IActionResult> OnPostRecoveryCodesAsync(CancellationToken ct)
    {
        if (!await LoadAsync()) return Denied();
        await TryAsync(() => IdentityRefusals.Run(async () =>
            RecoveryCodes = await account.NewRecoveryCodesAsync(Status.Id, OwnActions.Metadata(HttpContext), ct)), "");
        await LoadAsync();
        return Page();
    }

    // A service client has no account page.
    private async Task<bool> LoadAsync()
    {
        if (HttpContext.GetActor().UserId is not { } id) return false;
        Status = await account.StatusAsync(id);
        return true;
    }
}

/// <summary>Events a person causes on their own account name them, acting as themselves (as the sign-in pages record them).</summary>
public static class OwnActions
{
    public const string ActingRole = "User";

    public static EventMetadata Metadata(Microsoft.AspNetCore.Http.HttpContext context) =>
        new(context.GetActor().Id, ActingRole, context.GetCorrelationId());
}
