using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ReleaseGateway.Problems;

/// <summary>Problem details (RFC 9457) carrying a stable code from <see cref="ErrorCodes"/>.</summary>
public static class GatewayProblems
{
    /// <summary>The extension member holding the stable code.</summary>
    public const string CodeMember = "code";

    /// <summary>A problem for <paramref name="code"/>; the status and title come from the table.</summary>
    public static ProblemHttpResult Create(string code, string? detail = null, IDictionary<string, object?>? extensions = null)
    {
        var problem = Describe(code, detail);
        if (extensions is not null)
            foreach (var (key, value) in extensions) problem.Extensions[key] = value;
        return TypedResults.Problem(problem);
    }

    /// <summary>Fills type, title, status and code of <paramref name="code"/> into a new problem.</summary>
    public static ProblemDetails Describe(string code, string? detail = null)
    {
        var error = ErrorCodes.Get(code);
        return new ProblemDetails
        {
            Type = ErrorCodes.TypeUri(error.Code),
            Title = error.Title,
            Status = error.Status,
            Detail = detail,
            Extensions = { [CodeMember] = error.Code },
        };
    }
}
