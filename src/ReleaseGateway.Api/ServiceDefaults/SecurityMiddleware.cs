using Microsoft.Net.Http.Headers;
using ReleaseGateway.Problems;

namespace ReleaseGateway.Api.ServiceDefaults;

/// <summary>
/// Headers for every response. The CSP allows nothing but same-origin form posts to pages that have no script;
/// the web interface (/ui) may also load its own style sheet and images, still from no other origin and with no
/// script; the Development-only API reference page (/scalar) needs its own scripts and is left out.
/// </summary>
internal sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
        var path = context.Request.Path;
        if (path.StartsWithSegments("/ui"))
        {
            headers.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
            // What antiforgery sets on every page with a form anyway (it warns when it has to override anything else).
            headers.CacheControl = "no-cache, no-store";
            headers.Pragma = "no-cache";
            return next(context);
        }
        if (path.StartsWithSegments("/account") || path.StartsWithSegments("/connect"))
            // The sign-in pages wear the web interface's style sheet. No form-action: after the sign-in form the browser
            // follows redirects to the client's (loopback) redirect URI.
            headers.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'";
        else if (!path.StartsWithSegments("/scalar"))
            headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
        if (path.StartsWithSegments("/account") || path.StartsWithSegments("/connect"))
        {
            // Exactly what antiforgery sets on the sign-in forms, so it has nothing to override (and no warning to log).
            headers.CacheControl = "no-cache, no-store";
            headers.Pragma = "no-cache";
        }
        return next(context);
    }
}

/// <summary>Outside Development, plain HTTP gets RG0002 instead of an answer (health probes excepted: they carry no secret).</summary>
internal sealed class RequireHttpsMiddleware(RequestDelegate next, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.IsHttps || context.Request.Path.StartsWithSegments("/health"))
        {
            await next(context);
            return;
        }
        var problem = GatewayProblems.Describe(ErrorCodes.HttpsRequired);
        context.Response.StatusCode = problem.Status!.Value;
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}
