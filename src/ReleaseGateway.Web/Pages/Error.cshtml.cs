using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using ReleaseGateway.Web.SignIn;

namespace ReleaseGateway.Web.Pages;

/// <summary>
/// The interface's error page, for status codes and exceptions alike: a readable sentence and, for failures on
/// our side, a reference to find the log entry. Never the exception itself.
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public string Title { get; private set; } = "";

    public string Message { get; private set; } = "";

    public string? Reference { get; private set; }

    public IActionResult OnGet(int? status, string? reason) => Show(status, reason);

    public IActionResult OnPost(int? status, string? reason) => Show(status, reason);

    private PageResult Show(int? status, string? reason)
    {
        var error = HttpContext.Features.Get<IExceptionHandlerFeature>()?.Error
            ?? (reason == "origin" ? new UnknownGatewayOriginException("this address") : null);
        var code = error switch
        {
            UnknownGatewayOriginException => 400,
            null => status is >= 400 and <= 599 ? status.Value : Response.StatusCode >= 400 ? Response.StatusCode : 404,
            _ => 500,
        };
        (Title, Message) = (code, error) switch
        {
            (_, UnknownGatewayOriginException e) => ("Unknown address",
                $"This gateway does not sign in on {e.Origin}. Use the gateway's configured address, or ask its operator to add this one."),
            (400, _) => ("The request could not be used",
                "If you sent a form, it may have expired or not come from this site. Go back, reload the page and try again."),
            (401, _) => ("Signing in did not complete", "The sign-in was refused or took too long. Start again from the start page."),
            (403, _) => ("Not allowed", "Your roles do not give you access to this page."),
            (404, _) => ("Not found", "There is nothing at this address, or you may not see it."),
            (405, _) => ("Not allowed", "This page cannot be used that way."),
            (413, _) => ("Too large", "The upload is larger than this gateway accepts."),
            (>= 500, _) => ("Something went wrong", "The gateway could not complete this request. Nothing was changed by the failed step; try again later."),
            _ => ("The request could not be completed", $"The gateway answered with status {code}."),
        };
        if (code >= 500) Reference = Activity.Current?.TraceId.ToHexString() ?? HttpContext.TraceIdentifier;
        Response.StatusCode = code;
        return Page();
    }
}
