using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ReleaseGateway.Web.Pages;

/// <summary>Where the session sends a signed-in user whose roles do not satisfy a page's policy (403).</summary>
public sealed class DeniedModel : PageModel
{
    public IActionResult OnGet()
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return Page();
    }
}
