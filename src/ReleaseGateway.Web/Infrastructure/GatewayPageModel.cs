using System.Text.RegularExpressions;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Requests;
using ReleaseGateway.Web.SignIn;

namespace ReleaseGateway.Web.Infrastructure;

/// <summary>
/// What every page shares: the caller as the modules know it, and the way a refused command is shown — the
/// validator's messages beside the fields they are about, any other refusal as a message with its stable code,
/// and the problem's HTTP status on the re-rendered page.
/// </summary>
public abstract partial class GatewayPageModel : PageModel
{
    /// <summary>A refusal that is not about one field (not allowed in this state, separation of duties, ...).</summary>
    public RequestError? Refusal { get; private set; }

    /// <summary>The signed-in caller: the session carries the access token's subject and roles.</summary>
    protected Actor Actor
    {
        get
        {
            var actor = HttpContext.GetActor();
            return new Actor(actor.Id, actor.Roles);
        }
    }

    /// <summary>The signed-in caller as the module commands take it (the same handlers the API endpoints call).</summary>
    protected CommandContext Caller => CommandContext.Of(HttpContext);

    /// <summary>
    /// Runs <paramref name="command"/>; on refusal records why for the page and sets the response status. Validation
    /// messages go to the field <c>{fieldPrefix}.{Property}</c> (<paramref name="fields"/> renames properties whose
    /// input is called otherwise); <paramref name="refusalField"/> may place a refusal beside a field too.
    /// </summary>
    protected async Task<bool> TryAsync(Func<Task> command, string fieldPrefix, IReadOnlyDictionary<string, string>? fields = null,
        Func<RequestError, string?>? refusalField = null)
    {
        try
        {
            await command();
            return true;
        }
        catch (ValidationException e)
        {
            foreach (var error in e.Errors)
            {
                var property = Indexer().Replace(error.PropertyName ?? "", "");
                if (fields?.TryGetValue(property, out var renamed) == true) property = renamed;
                var key = property.Length == 0 ? "" : $"{fieldPrefix}.{property}";
                ModelState.AddModelError(key, error.ErrorMessage);
                _formErrorOrder.Add(key);
            }
            ViewData[FormErrorOrderKey] = _formErrorOrder;
            Response.StatusCode = 400;
        }
        catch (RequestRefusedException e)
        {
            if (refusalField?.Invoke(e.Error) is { } field) ModelState.AddModelError(field, e.Error.Detail);
            else Refusal = e.Error;
            Response.StatusCode = e.Error.Status;
        }
        return false;
    }

    /// <summary>
    /// ViewData key of the fields in the order the validator reported them (its rules follow the form), for the error
    /// summary: the model state dictionary does not keep the order errors were added in.
    /// </summary>
    public const string FormErrorOrderKey = "FormErrorOrder";

    private readonly List<string> _formErrorOrder = [];

    /// <summary>
    /// The page again, as 400, when the posted form could not even be bound (a word in a number field); null when it
    /// could, and the module's validator decides.
    /// </summary>
    protected IActionResult? UnboundForm()
    {
        if (ModelState.IsValid) return null;
        Response.StatusCode = 400;
        return Page();
    }

    /// <summary>
    /// Shows the page again after a refused command, with the refusal's status; a page the caller may not see (after
    /// <paramref name="load"/>) stays "not found", whatever the command said about it.
    /// </summary>
    protected async Task<IActionResult> RedisplayAsync(Func<Task<bool>> load)
    {
        var status = Response.StatusCode;
        if (!await load()) return NotFound();
        Response.StatusCode = status;
        return Page();
    }

    /// <summary>The caller's roles do not allow this page: the interface's "not allowed" page, as for a page's role policy.</summary>
    protected IActionResult Denied() => Forbid(WebSignIn.CookieScheme);

    [GeneratedRegex(@"\[\d+\]$")]
    private static partial Regex Indexer();
}
