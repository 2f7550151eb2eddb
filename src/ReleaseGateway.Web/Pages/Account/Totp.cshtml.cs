using Microsoft.AspNetCore.Mvc;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Identity.Users;
using ReleaseGateway.Problems;
using ReleaseGateway.Web.Admin;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages.Account;

public sealed class TotpForm
{
    public string? Code { get; set; }
}

/// <summary>
/// Enrolling an authenticator app: the secret as text and as an <c>otpauth://</c> link, a code from the app to confirm it,
/// then the recovery codes, once. The second factor is off until the code matches.
/// </summary>
public sealed class TotpModel(OwnAccount account) : GatewayPageModel
{
    public TotpEnrolment Enrolment { get; private set; } = null!;

    [BindProperty]
    public TotpForm Form { get; set; } = new();

    /// <summary>Set once the code matched: the recovery codes, shown on this response only.</summary>
    public IReadOnlyList<string>? RecoveryCodes { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (HttpContext.GetActor().UserId is not { } id) return Denied();
        return await BeginAsync(id) ? Page() : Redirect("/ui/account");
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (HttpContext.GetActor().UserId is not { } id) return Denied();
        if (await TryAsync(() => IdentityRefusals.Run(async () =>
                RecoveryCodes = await account.ConfirmTotpAsync(id, new ConfirmSecondFactor(Form.Code ?? ""), OwnActions.Metadata(HttpContext), ct)),
                nameof(Form), refusalField: r => r.Code == ErrorCodes.EnrolmentCodeWrong ? $"{nameof(Form)}.{nameof(TotpForm.Code)}" : null))
            return Page();
        var status = Response.StatusCode;
        if (!await BeginAsync(id)) return Redirect("/ui/account");
        Response.StatusCode = status;
        return Page();
    }

    private async Task<bool> BeginAsync(Guid id)
    {
        try
        {
            Enrolment = await account.BeginTotpEnrolmentAsync(id);
            return true;
        }
        catch (UserAdministrationException e) when (e.Code == ErrorCodes.SecondFactorAlreadyEnabled)
        {
            return false;
        }
    }

    /// <summary>The base32 secret in groups of four, as authenticator apps show it when typed.</summary>
    public static string Grouped(string secret) =>
        string.Join(' ', Enumerable.Range(0, (secret.Length + 3) / 4).Select(i => secret.Substring(i * 4, Math.Min(4, secret.Length - i * 4))));
}
