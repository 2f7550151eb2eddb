using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using ReleaseGateway.Problems;

namespace ReleaseGateway.Api.ServiceDefaults;

/// <summary>Every problem response carries a stable code, a <c>type</c> linking to its explanation and the trace id.</summary>
internal static class ProblemDetailsDefaults
{
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        if (!problem.Extensions.TryGetValue(GatewayProblems.CodeMember, out var code) || code is not string)
        {
            var described = GatewayProblems.Describe(problem is HttpValidationProblemDetails ? ErrorCodes.ValidationFailed : ErrorCodes.ForStatus(status));
            problem.Type = described.Type;
            problem.Title = described.Title;
            problem.Extensions[GatewayProblems.CodeMember] = described.Extensions[GatewayProblems.CodeMember];
        }
        problem.Instance ??= context.HttpContext.Request.Path;
        problem.Extensions["traceId"] = Activity.Current?.TraceId.ToHexString() ?? context.HttpContext.TraceIdentifier;
    }
}

/// <summary>Turns an unhandled exception into RG0001 (or RG0006 for a malformed request) without leaking its message.</summary>
internal sealed partial class UnexpectedExceptionHandler(IProblemDetailsService problems, ILogger<UnexpectedExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var code = exception is BadHttpRequestException ? ErrorCodes.BadRequest : ErrorCodes.Unexpected;
        if (code == ErrorCodes.Unexpected) Unhandled(logger, httpContext.Request.Path, exception);
        var problem = GatewayProblems.Describe(code);
        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Unhandled exception on {Path}")]
    private static partial void Unhandled(ILogger logger, string path, Exception exception);
}
