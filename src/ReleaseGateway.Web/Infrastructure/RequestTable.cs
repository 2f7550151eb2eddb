using Microsoft.AspNetCore.Http;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Requests;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;
using ReleaseGateway.Requests.AccessRequests.ListMyRequests;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Web.Infrastructure;

/// <summary>
/// A page of requests as the pages show it, with the datasets' names and, where the page shows it, where each
/// request's latest release attempt is in the pipeline.
/// </summary>
public sealed record RequestTable(Paged<AccessRequestSummary> Requests, Pager Pager, IReadOnlyDictionary<Guid, string> DatasetNames, string Empty,
    IReadOnlyDictionary<Guid, LatestAttempt>? LatestAttempts = null, IReadOnlyDictionary<Guid, CommitteeFacts>? Facts = null)
{
    /// <summary>
    /// The table with what a committee member decides on beside each request: requester, ε asked for against what the
    /// dataset has left, and the member's own vote (this round's, else their latest).
    /// </summary>
    public async Task<RequestTable> WithCommitteeFactsAsync(IEventStore store, BudgetLedgerViews ledgers, UserDirectory names, Actor actor,
        CancellationToken ct)
    {
        var facts = new Dictionary<Guid, CommitteeFacts>();
        var details = new List<AccessRequestDetails>();
        foreach (var r in Requests.Items)
            if (await store.LoadAsync<AccessRequestDetails>(r.Id, ct) is { } d) details.Add(d);
        await names.LoadAsync(details.Select(d => d.RequesterId), ct);
        var remaining = new Dictionary<Guid, double>();
        foreach (var datasetId in details.Select(d => d.DatasetId).Distinct())
            if (await store.LoadAsync<DatasetDetails>(datasetId, ct) is { } dataset)
                remaining[datasetId] = (await ledgers.GetAsync(dataset, ct)).RemainingEpsilon;
        foreach (var d in details)
        {
            var epsilon = (d.ProposedTerms ?? d.Terms).Epsilon;
            var left = remaining.TryGetValue(d.DatasetId, out var l) ? l : (double?)null;
            facts[d.Id] = new CommitteeFacts(names.Name(d.RequesterId), epsilon, left, left is { } x && epsilon > x * (1 + 1e-9),
                d.CurrentVotes.GetValueOrDefault(actor.Id) ?? (d.Acts ?? []).LastOrDefault(a => a.ActorId == actor.Id &&
                    a.Trigger is WorkflowTriggers.Approve or WorkflowTriggers.Reject)?.Trigger);
        }
        return this with { Facts = facts };
    }

    public static async Task<RequestTable> ForAsync(IEventStore store, HttpRequest request, IReadOnlyList<AccessRequestSummary> requests, string empty,
        CancellationToken ct, PipelineProgress? progress = null)
    {
        var page = Paged<AccessRequestSummary>.Of(requests, PageNumber(request));
        IReadOnlyDictionary<Guid, LatestAttempt>? latest = null;
        if (progress is not null)
            latest = (await ReleaseQueries.LatestOfRequestsAsync(store, page.Items.Select(r => r.Id).ToHashSet(), ct))
                .ToDictionary(p => p.Key, p => new LatestAttempt(p.Value.Id, p.Value.Attempt, AttemptProgress.Of(p.Value, progress.Get(p.Value.Id), request.HttpContext.GetActor().Roles)));
        return new RequestTable(page, page.Pager(request), (await store.QueryAsync<DatasetDetails>(ct)).ToDictionary(d => d.Id, d => d.Name), empty, latest);
    }

    public static int PageNumber(HttpRequest request) =>
        int.TryParse(request.Query["page"], System.Globalization.CultureInfo.InvariantCulture, out var page) ? page : 1;
}

/// <summary>What a committee member decides on, per request row.</summary>
public sealed record CommitteeFacts(string Requester, double Epsilon, double? RemainingEpsilon, bool OverBudget, string? MyVote);

/// <summary>A request's latest release attempt and where it is.</summary>
public sealed record LatestAttempt(Guid ReleaseId, int Attempt, AttemptProgress Progress);
