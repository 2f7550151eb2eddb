using System.Text;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using Markdig;
using ReleaseGateway.Problems;

namespace ReleaseGateway.Api.ServiceDefaults;

/// <summary>
/// The gateway's documentation (docs/*.md and docs/adr/*.md, copied beside the binaries) as pages, so that "docs/schema.md"
/// on a form is a link a steward can follow on the gateway itself. Public, like the error pages: the documents describe
/// the software, never a dataset.
/// </summary>
internal static partial class DocsPages
{
    // Raw HTML in a document is shown as text: the pages carry only what Markdown itself makes.
    private static readonly MarkdownPipeline Markdown = new MarkdownPipelineBuilder().UsePipeTables().UseAutoIdentifiers().DisableHtml().Build();

    private static string Root => Path.Combine(AppContext.BaseDirectory, "docs");

    public static void Map(IEndpointRouteBuilder app)
    {
        var docs = app.MapGroup("/docs").AllowAnonymous().ExcludeFromDescription();
        docs.MapGet("/", () => Page("Documentation", "<ul>" + string.Concat(Documents().Select(d =>
            $"<li><a href=\"/docs/{Encode(d)}\">{Encode(d)}</a></li>")) + "</ul>"));
        docs.MapGet("/{**path}", async (string path, CancellationToken ct) =>
        {
            // Only the documents' own names: no other file of the installation is reachable through this route.
            if (!DocumentPath().IsMatch(path) || !File.Exists(Path.Combine(Root, path)))
                return Results.Problem(GatewayProblems.Describe(ErrorCodes.NotFound, $"There is no document {path}."));
            var markdown = await File.ReadAllTextAsync(Path.Combine(Root, path), ct);
            var title = markdown.Split('\n').FirstOrDefault(l => l.StartsWith("# ", StringComparison.Ordinal))?[2..].Trim() ?? path;
            return Page(title, Markdig.Markdown.ToHtml(markdown, Markdown) + "<p><a href=\"/docs\">All documents</a></p>");
        });
    }

    private static IEnumerable<string> Documents() => Directory.Exists(Root)
        ? Directory.EnumerateFiles(Root, "*.md", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/')).Where(d => DocumentPath().IsMatch(d)).Order(StringComparer.Ordinal)
        : [];

    private static IResult Page(string title, string body) => Results.Content(new StringBuilder()
        .Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(Encode(title)).Append(" · ReleaseGateway</title></head><body><main>")
        .Append(body)
        .Append("</main></body></html>").ToString(), "text/html; charset=utf-8");

    private static string Encode(string value) => HtmlEncoder.Default.Encode(value);

    [GeneratedRegex(@"^(adr/)?[a-z0-9][a-z0-9-]*\.md$")]
    private static partial Regex DocumentPath();
}
