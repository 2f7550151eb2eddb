using System.Diagnostics;
using System.Globalization;

namespace ReleaseGateway.Api.ServiceDefaults;

/// <summary>
/// <c>Server-Timing: app;dur=MS</c> on every response (when <c>ReleaseGateway:ServerTiming</c> is true): the time from the
/// request entering the pipeline to its headers being sent. Pages are buffered until rendered, so for a page that is the
/// time to render it, authentication and the modules' queries included.
/// </summary>
internal sealed class ServerTimingMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var start = Stopwatch.GetTimestamp();
        context.Response.OnStarting(() =>
        {
            context.Response.Headers["Server-Timing"] =
                "app;dur=" + Stopwatch.GetElapsedTime(start).TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        });
        return next(context);
    }
}
