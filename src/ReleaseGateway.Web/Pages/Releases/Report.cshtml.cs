using System.Text;
using Microsoft.AspNetCore.Mvc;
using ReleaseGateway.EventStore;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages.Releases;

/// <summary>
/// The attempt's full evaluation report exactly as stored (<c>evaluation-report.html</c>, re-hashed before it is served):
/// gate table first, then the plots as inline SVG. Embedded in the request and release pages for those who may read it
/// (<see cref="ReleaseLifecycle.MayReadEvaluation"/>), under a policy that allows only what the report contains; each view is an event.
/// </summary>
public sealed class ReportModel(IEventStore store, ReleaseCommands commands) : GatewayPageModel
{
    [FromRoute]
    public Guid Id { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var actor = Actor;
        // Inside the boundary only; each view is recorded (EvaluationReportViewed). Anyone else: not found.
        if (await store.LoadAsync<ReleaseDetails>(Id, ct) is not { } release ||
            !ReleaseLifecycle.MayReadEvaluation(actor.Roles, await ReleaseLifecycle.IsSeatedAsync(store, actor, release, ct)) || await ReleaseQueries.EvaluationAsync(store, Id, ct) is null)
            return NotFound();
        string html;
        var (_, content) = await commands.ReadEvaluationReportAsync(Caller, Id, html: true, "web", ct);
        await using (content)
        using (var reader = new StreamReader(content, Encoding.UTF8))
            html = await reader.ReadToEndAsync(ct);
        ContentSecurity.ForReport(Response, html);
        return Content(html, "text/html; charset=utf-8");
    }
}
