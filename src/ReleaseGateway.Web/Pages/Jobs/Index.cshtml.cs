using Microsoft.AspNetCore.Mvc;
using ReleaseGateway.EventStore;
using ReleaseGateway.Releases.Jobs;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Workflows;
using ReleaseGateway.Web.Infrastructure;
using RoleNames = ReleaseGateway.Identity.Authorization.Roles;

namespace ReleaseGateway.Web.Pages.Jobs;

/// <summary>The pipeline at work: every request the gateway acts on now or next, its job (waiting or running, where) and its latest attempt's progress.</summary>
public sealed class IndexModel(IEventStore store, WorkflowCatalog workflows, IReleaseJobs jobs, PipelineProgress progress) : GatewayPageModel
{
    public sealed record Row(AccessRequestDetails Request, string DatasetName, JobStatus? Job, ReleaseDetails? Latest, AttemptProgress? Progress);

    public Paged<AccessRequestDetails> Requests { get; private set; } = null!;

    public Pager Pager { get; private set; } = null!;

    public IReadOnlyList<Row> Rows { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!Actor.IsIn(RoleNames.DataSteward) && !Actor.IsIn(RoleNames.ComplianceOfficer)) return Denied();
        Requests = Paged<AccessRequestDetails>.Of(await ReleaseQueries.InPipelineAsync(store, workflows, ct), RequestTable.PageNumber(Request));
        Pager = Requests.Pager(Request);
        var names = (await store.QueryAsync<DatasetDetails>(ct)).ToDictionary(d => d.Id, d => d.Name);
        var latest = await ReleaseQueries.LatestOfRequestsAsync(store, Requests.Items.Select(r => r.Id).ToHashSet(), ct);
        var rows = new List<Row>();
        foreach (var r in Requests.Items)
        {
            var attempt = latest.GetValueOrDefault(r.Id);
            rows.Add(new Row(r, names.GetValueOrDefault(r.DatasetId, r.DatasetId.ToString()), await jobs.GetStatusAsync(AdvanceReleaseJob.KeyFor(r.Id), ct), attempt,
                attempt is null ? null : AttemptProgress.Of(attempt, progress.Get(attempt.Id), Actor.Roles)));
        }
        Rows = rows;
        if (rows.Count > 0) ViewData["RefreshSeconds"] = 5;
        return Page();
    }
}
