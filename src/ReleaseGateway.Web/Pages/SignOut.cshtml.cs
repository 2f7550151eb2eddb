using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using ReleaseGateway.Identity.Data;
using ReleaseGateway.Web.SignIn;

namespace ReleaseGateway.Web.Pages;

/// <summary>
/// Ends the web session and the sign-in session of the gateway's authorization server (its cookie), so the next
/// visit asks for the password again instead of signing straight back in.
/// </summary>
public sealed class SignOutModel(SignInManager<GatewayUser> signIn) : PageModel
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(WebSignIn.CookieScheme);
        await signIn.SignOutAsync();
        return Redirect(WebModule.PathPrefix + "/signed-out");
    }
}
