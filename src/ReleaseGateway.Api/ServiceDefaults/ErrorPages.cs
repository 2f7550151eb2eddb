using System.Text;
using System.Text.Encodings.Web;
using ReleaseGateway.Problems;

namespace ReleaseGateway.Api.ServiceDefaults;

/// <summary>The pages the <c>type</c> of every problem points to: one per stable error code, and the whole table.</summary>
internal static class ErrorPages
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var errors = app.MapGroup("/errors").AllowAnonymous().ExcludeFromDescription();
        errors.MapGet("/", () => Page("Error codes", string.Concat(ErrorCodes.All.Select(e =>
            $"<li><a href=\"/errors/{e.Code}\">{e.Code}</a> ({e.Status}) {Encode(e.Title)}</li>")), list: true));
        errors.MapGet("/{code}", (string code) => ErrorCodes.Find(code) is { } e
            ? Page($"{e.Code}: {e.Title}", $"<p>HTTP status {e.Status}.</p><p>{Encode(e.Explanation)}</p><p><a href=\"/errors\">All error codes</a></p>")
            : Results.Problem(GatewayProblems.Describe(ErrorCodes.NotFound, $"There is no error code {code}.")));
    }

    private static IResult Page(string title, string body, bool list = false)
    {
        var html = new StringBuilder()
            .Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(Encode(title)).Append(" · ReleaseGateway</title></head><body><main>")
            .Append("<h1>").Append(Encode(title)).Append("</h1>")
            .Append(list ? "<ul>" + body + "</ul>" : body)
            .Append("</main></body></html>");
        return Results.Content(html.ToString(), "text/html; charset=utf-8");
    }

    private static string Encode(string value) => HtmlEncoder.Default.Encode(value);
}
