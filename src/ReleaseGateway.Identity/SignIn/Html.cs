using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;

namespace ReleaseGateway.Identity.SignIn;

/// <summary>
/// The few server-rendered pages of the sign-in flow: plain HTML with the web interface's style sheet, no script, nothing from
/// another origin, every value encoded.
/// Kept as code rather than Razor so the Identity module stays a plain library.
/// </summary>
internal static class Html
{
    public static IResult Page(string title, string body, int statusCode = StatusCodes.Status200OK) =>
        Results.Content(
            $"""
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{Encode(title)} · ReleaseGateway</title>
            <link rel="stylesheet" href="/ui/site.css"><link rel="icon" href="/ui/favicon.svg" type="image/svg+xml"></head>
            <body class="account">
            <a class="skip" href="#content">Skip to main content</a>
            <header class="site"><a class="brand" href="/ui">ReleaseGateway</a><span>Synthetic releases of sensitive tables under a privacy budget</span></header>
            <main id="content" tabindex="-1">
            <h1>{Encode(title)}</h1>
            {body}
            </main>
            <footer class="account-help"><p>Trouble signing in? Your gateway's administrator can re-enable a locked account, or give you a new
            one-time password or a link to choose a new one (<code>rgw users reset-link</code>). Signing in from a terminal: <code>rgw login</code>.</p></footer>
            </body>
            </html>
            """,
            "text/html; charset=utf-8", statusCode: statusCode);

    public static string Encode(string? value) => HtmlEncoder.Default.Encode(value ?? "");

    public static string AntiforgeryField(IAntiforgery antiforgery, HttpContext context)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        return $"""<input type="hidden" name="{Encode(tokens.FormFieldName)}" value="{Encode(tokens.RequestToken)}">""";
    }

    public static string Hidden(string name, string? value) => $"""<input type="hidden" name="{Encode(name)}" value="{Encode(value)}">""";

    public static string Error(string? message, string? code = null) => message is null
        ? ""
        : $"""<p role="alert"><strong>{Encode(message)}</strong>{(code is null ? "" : $" (<a href=\"/errors/{Encode(code)}\">{Encode(code)}</a>)")}</p>""";

    /// <summary>
    /// The return URL when it stays on this site, otherwise the site root (no open redirect). Control characters
    /// are refused too: browsers drop tabs and newlines, so "/\t/evil.example" would become "//evil.example".
    /// </summary>
    public static string LocalUrl(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Any(char.IsControl)
            ? url
            : "/";
}
