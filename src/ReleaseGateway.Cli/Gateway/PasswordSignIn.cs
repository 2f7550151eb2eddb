using System.Net;
using System.Text.RegularExpressions;
using System.Web;

namespace ReleaseGateway.Cli.Gateway;

/// <summary>
/// <c>rgw login --user EMAIL --password-stdin</c>: the same authorization code + PKCE flow a browser goes through,
/// driven over HTTP: <c>/connect/authorize</c> sends an anonymous caller to the sign-in page, the form is posted with
/// the antiforgery token it rendered, a one-time password is replaced on <c>/account/password</c> when a new one is
/// given, and the code is read from the redirect to the loopback address (nothing needs to listen there). The
/// gateway sees exactly what it sees from a browser, so sign-ins, failures and lockouts are audited as usual.
/// </summary>
internal static partial class PasswordSignIn
{
    private const int MaxSteps = 12;

    /// <summary>Runs the browser part of the flow and returns the authorization code from the redirect.</summary>
    public static async Task<string> AuthorizeAsync(Uri gateway, Uri authorizeUrl, string redirectUri, string state, string email, string password,
        string? newPassword, CancellationToken ct)
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = gateway,
        };
        var response = await browser.GetAsync(authorizeUrl, ct);
        bool signedIn = false, changed = false;
        try
        {
            for (var step = 0; step < MaxSteps; step++)
            {
                if ((int)response.StatusCode is >= 300 and < 400)
                {
                    var location = response.Headers.Location ?? throw new UsageException($"The gateway answered {(int)response.StatusCode} without a Location.");
                    var target = location.IsAbsoluteUri ? location : new Uri(gateway, location);
                    if (target.AbsoluteUri.StartsWith(redirectUri, StringComparison.Ordinal)) return CodeFrom(target, state);
                    if (target.Authority != gateway.Authority) throw new UsageException($"The sign-in was redirected off the gateway, to {target.GetLeftPart(UriPartial.Path)}.");
                    response.Dispose();
                    response = await browser.GetAsync(target, ct);
                    continue;
                }

                var page = await response.Content.ReadAsStringAsync(ct);
                var form = FormAction(page);
                if (!response.IsSuccessStatusCode || form is null)
                    throw new UsageException($"Sign-in failed: {Alert(page) ?? $"the gateway answered {(int)response.StatusCode}"}.");
                var fields = new List<KeyValuePair<string, string>>
                {
                    new("__RequestVerificationToken", HiddenField(page, "__RequestVerificationToken") ?? throw new UsageException("The sign-in page carries no antiforgery token.")),
                    new("returnUrl", HiddenField(page, "returnUrl") ?? "/"),
                };
                switch (form)
                {
                    case "/account/login" when !signedIn:
                        signedIn = true;
                        fields.AddRange([new("email", email), new("password", password)]);
                        break;
                    case "/account/password" when !changed:
                        if (newPassword is null)
                            throw new UsageException("This account still has its one-time password, which must be replaced first: give the new password " +
                                "on the second line of standard input (with --password-stdin), or sign in once with 'rgw login' in a browser.");
                        changed = true;
                        fields.AddRange([new("current", password), new("new", newPassword)]);
                        break;
                    case "/account/login/totp":
                        throw new UsageException("This account signs in with an authenticator code, which a script cannot give; use 'rgw login' or 'rgw login --device'.");
                    default:
                        // The same form again: the gateway refused what was posted and says why.
                        throw new UsageException($"Sign-in failed: {Alert(page) ?? "the gateway showed the form again"}.");
                }
                response.Dispose();
                response = await browser.PostAsync(form, new FormUrlEncodedContent(fields), ct);
            }
        }
        finally
        {
            response.Dispose();
        }
        throw new UsageException("The sign-in did not come back to the loopback address; the gateway kept redirecting.");
    }

    private static string CodeFrom(Uri redirect, string state)
    {
        var query = HttpUtility.ParseQueryString(redirect.Query);
        if (query["error"] is { } error) throw new UsageException($"Sign-in refused: {error} {query["error_description"]}");
        if (query["state"] != state) throw new UsageException("The redirect did not carry this sign-in's state; nothing was saved.");
        return query["code"] is { Length: > 0 } code ? code : throw new UsageException("The redirect carried no authorization code.");
    }

    private static string? FormAction(string page) => FormActionPattern().Match(page) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : null;

    private static string? HiddenField(string page, string name) =>
        Regex.Match(page, $"<input type=\"hidden\" name=\"{Regex.Escape(name)}\" value=\"([^\"]*)\"") is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : null;

    /// <summary>The page's error line, e.g. "Wrong e-mail address or password. (RG1001)".</summary>
    private static string? Alert(string page) =>
        AlertPattern().Match(page) is { Success: true } m
            ? WebUtility.HtmlDecode(m.Groups[1].Value) + (m.Groups[2].Success ? $" ({m.Groups[2].Value})" : "")
            : null;

    [GeneratedRegex("<form method=\"post\" action=\"([^\"]+)\"")]
    private static partial Regex FormActionPattern();

    [GeneratedRegex("<p role=\"alert\"><strong>([^<]*)</strong>(?: \\(<a href=\"/errors/[^\"]*\">([^<]*)</a>\\))?")]
    private static partial Regex AlertPattern();
}
