using ReleaseGateway.EventStore;
using ReleaseGateway.Releases.Artifacts;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Releases.Manifests;
using ReleaseGateway.Requests;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Releases.Pipeline;

/// <summary>
/// The release read side as the HTTP endpoints and the web pages both serve it: the attempts of a request or a
/// dataset, the releases a person may see, an attempt's evaluation and its signed manifest.
/// </summary>
public static class ReleaseQueries
{
    // Indexes of ReleaseDetails (docs/web.md, "Performance"): pages read the attempts they show, not every attempt.
    public const string ByRequest = "request";
    public const string ByDataset = "dataset";
    public const string ByRequester = "requester";
    public const string ByStatus = "status";
    public const string Evaluated = "evaluated";
    public const string ByStart = "started";

    public static void Index(DocumentIndexes indexes) => indexes
        .Add<ReleaseDetails>(ByRequest, r => r.RequestId.ToString())
        .Add<ReleaseDetails>(ByDataset, r => r.DatasetId.ToString())
        .Add<ReleaseDetails>(ByRequester, r => r.RequesterId)
        .Add<ReleaseDetails>(ByStatus, r => r.Status)
        .Add<ReleaseDetails>(Evaluated, r => r.Passed is null ? null : "yes")
        .Add<ReleaseDetails>(ByStart, r => DocumentIndexes.Sortable(r.StartedAt));

    /// <summary>The request's release attempts, first attempt first.</summary>
    public static async Task<IReadOnlyList<ReleaseDetails>> OfRequestAsync(IEventStore store, Guid requestId, CancellationToken ct) =>
        (await store.QueryAsync<ReleaseDetails>(ByRequest, [requestId.ToString()], ct)).OrderBy(r => r.Attempt).ToList();

    /// <summary>Every attempt of any of <paramref name="requestIds"/>, in no particular order.</summary>
    public static Task<IReadOnlyList<ReleaseDetails>> OfRequestsAsync(IEventStore store, IReadOnlySet<Guid> requestIds, CancellationToken ct) =>
        store.QueryAsync<ReleaseDetails>(ByRequest, [.. requestIds.Select(id => id.ToString())], ct);

    /// <summary>The latest attempt of each of <paramref name="requestIds"/> that has one.</summary>
    public static async Task<IReadOnlyDictionary<Guid, ReleaseDetails>> LatestOfRequestsAsync(IEventStore store, IReadOnlySet<Guid> requestIds,
        CancellationToken ct) =>
        (await OfRequestsAsync(store, requestIds, ct)).GroupBy(r => r.RequestId).ToDictionary(g => g.Key, g => g.MaxBy(r => r.Attempt)!);

    /// <summary>Every release attempt made from the dataset, oldest first.</summary>
    public static async Task<IReadOnlyList<ReleaseDetails>> OfDatasetAsync(IEventStore store, Guid datasetId, CancellationToken ct) =>
        (await store.QueryAsync<ReleaseDetails>(ByDataset, [datasetId.ToString()], ct)).OrderBy(r => r.StartedAt).ToList();

    /// <summary>
    /// One page (newest first) of the release attempts <paramref name="actor"/> may see (<see cref="ReleaseLifecycle.MayView"/>): a
    /// researcher's own; every attempt for compliance officers and data stewards; a committee member's committees' attempts. With <paramref name="evaluatedOnly"/>,
    /// only attempts that were evaluated. Each as the actor may see it (<see cref="ReleaseBoundary.View(ReleaseDetails, IReadOnlySet{string})"/>).
    /// </summary>
    public static async Task<DocumentPage<ReleaseDetails>> VisibleToAsync(IEventStore store, Actor actor, int skip, int take, CancellationToken ct,
        bool evaluatedOnly = false)
    {
        var staff = actor.IsIn(WorkflowRoles.CommitteeMember) || actor.IsIn(WorkflowRoles.ComplianceOfficer) || actor.IsIn(WorkflowRoles.DataSteward);
        // A committee member sees their committees' releases only (ADR 0058): filtered before paging, so pages and totals stay right.
        var perCommittee = staff && !actor.IsIn(WorkflowRoles.ComplianceOfficer) && !actor.IsIn(WorkflowRoles.DataSteward);
        var query = perCommittee
            ? new DocumentQuery { OrderBy = ByStart, Descending = true, Take = int.MaxValue }
            : new DocumentQuery { OrderBy = ByStart, Descending = true, Skip = skip, Take = take };
        if (!staff) query = query with { Index = ByRequester, Values = [actor.Id] };
        if (evaluatedOnly) query = staff ? query with { Index = Evaluated, Values = ["yes"] } : query;
        var page = await store.QueryAsync<ReleaseDetails>(query, ct);
        var seated = await ReleaseLifecycle.SeatsAsync(store, actor, page.Documents, ct);
        // The index narrows; the rule decides (a researcher's own attempts that were not evaluated are dropped here).
        var visible = page.Documents.Where(r => ReleaseLifecycle.MayView(r, actor.Id, actor.Roles, seated(r)) && (!evaluatedOnly || r.Passed is not null))
            .Select(r => ReleaseBoundary.View(r, actor.Roles)).ToList();
        if (perCommittee) return new DocumentPage<ReleaseDetails>(visible.Skip(skip).Take(take).ToList(), visible.Count);
        return new DocumentPage<ReleaseDetails>(visible, page.Total - (page.Documents.Count - visible.Count));
    }

    /// <summary>Requests on which the gateway acts next or is acting (generation, evaluation, publication), oldest change first.</summary>
    public static async Task<IReadOnlyList<AccessRequestDetails>> InPipelineAsync(IEventStore store, WorkflowCatalog workflows, CancellationToken ct)
    {
        var gatewaySteps = new[] { WorkflowTriggers.StartGeneration, WorkflowTriggers.CompleteGeneration, WorkflowTriggers.PassGates, WorkflowTriggers.Publish };
        var states = workflows.All.Values.SelectMany(w => w.Transitions).Where(t => gatewaySteps.Contains(t.Trigger)).SelectMany(t => t.From)
            .ToHashSet(StringComparer.Ordinal);
        return (await AccessRequestQueries.InStatesAsync(store, states, ct))
            .Where(r => workflows.All.ContainsKey(r.Workflow) && ReleasePipeline.NextStep(r.ToRequest(), workflows.Get(r.Workflow)) is not null)
            .OrderBy(r => r.UpdatedAt).ToList();
    }

    /// <summary>The attempt's evaluation (the last one recorded), with its gates and the stored reports; null before it was evaluated.</summary>
    public static async Task<ReleaseEvaluated?> EvaluationAsync(IEventStore store, Guid releaseId, CancellationToken ct) =>
        (await store.FetchStreamAsync(releaseId, ct)).Select(e => e.Data).OfType<ReleaseEvaluated>().LastOrDefault();

    /// <summary>The signed manifest of a published release, read from its verified artifact; null before publication.</summary>
    public static async Task<ReleaseManifest?> ManifestAsync(ArtifactStore artifacts, ReleaseDetails release, CancellationToken ct)
    {
        if (release.Artifacts.FirstOrDefault(a => a.Name == ReleasePublication.ManifestName) is not { } manifest) return null;
        await using var stream = await artifacts.OpenVerifiedAsync(manifest.Sha256, ct);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, ct);
        return ReleaseManifest.Parse(copy.ToArray());
    }
}

/// <summary>The release module's streams about a dataset, for the audit trail's dataset filter: its budget ledger and every release attempt.</summary>
internal sealed class ReleaseStreamsOfDataset(IEventStore store) : IDatasetStreams
{
    public async Task<IReadOnlyCollection<Guid>> OfDatasetAsync(Guid datasetId, CancellationToken ct) =>
        [PrivacyBudgetLedger.StreamIdFor(datasetId), .. (await ReleaseQueries.OfDatasetAsync(store, datasetId, ct)).Select(r => r.Id)];
}
