using Microsoft.Net.Http.Headers;
using ReleaseGateway.Problems;

namespace ReleaseGateway.Api.ServiceDefaults;

/// <summary>
/// Headers for every response. The CSP allows nothing but same-origin form posts to pages that have no script;
/// the Development-only API reference page (/scalar) needs its own scripts and is left out.
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
        if (!context.Request.Path.StartsWithSegments("/scalar"))
            // No form-action: after the sign-in form the browser follows redirects to the client's (loopback) redirect URI.
            headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
        if (context.Request.Path.StartsWithSegments("/account") || context.Request.Path.StartsWithSegments("/connect"))
            headers.CacheControl = "no-store";
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
