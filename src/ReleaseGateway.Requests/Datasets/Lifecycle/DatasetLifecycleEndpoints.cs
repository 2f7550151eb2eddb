using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.Datasets.UploadSourceTable;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Requests.Datasets.Lifecycle;

/// <summary>
/// One line of a dataset's history as its page and <c>rgw datasets history</c> show it. <c>Detail</c> carries the reasons and, for
/// stewards and compliance officers only, a version's row count (a statistic of the real data, docs/privacy.md); <c>By</c> is a person
/// for staff and the role the step was taken in for researchers.
/// </summary>
public sealed record DatasetHistoryEntry(long Version, string Event, string By, DateTimeOffset At, string Detail);

public static class DatasetHistory
{
    public static async Task<IReadOnlyList<DatasetHistoryEntry>> OfAsync(IEventStore store, Guid id, IReadOnlySet<string> roles, CancellationToken ct)
    {
        var facts = DatasetQueries.SeesSourceFacts(roles);
        // Researchers see the role a step was taken in, never a staff member's id, as on a request's timeline.
        var people = roles.Contains(WorkflowRoles.CommitteeMember) || facts;
        return (await store.FetchStreamAsync(id, ct)).Select(e => new DatasetHistoryEntry(e.StreamVersion, e.EventType,
            people ? e.Metadata.ActorId : AccessRequestQueries.RoleWord(e.Metadata.ActorRole), e.Timestamp, e.Data switch
        {
            DatasetRegistered r => $"registered under policy '{r.Policy}'",
            SourceTableUploaded u => "source table uploaded (version 1)" + (facts ? $": {u.Rows} rows" : ""),
            SourceTableConnected c => $"source connected ({c.Source.Kind})" + (facts ? $": {c.Rows} rows" : ""),
            DatasetCommitteeAssigned a => a.CommitteeId is null ? "committee: default" : $"committee: {a.CommitteeId}",
            DatasetVersionUploaded v => $"version {v.SourceVersion}" + (facts ? $" ({v.Rows} rows)" : "") + $": {v.Reason}. Budget ledger {v.Ledger}s: {v.LedgerReason}.",
            DatasetPolicyChanged p => $"policy '{p.PreviousPolicy}' → '{p.Policy}' for new requests: {p.Reason}",
            DatasetRetired r => $"retired: {r.Reason}",
            _ => "",
        })).ToList();
    }
}

internal static class DatasetLifecycleEndpoints
{
    public static void Map(RouteGroupBuilder datasets)
    {
        datasets.MapPost("/{id:guid}/versions", UploadVersion).RequireAuthorization(AuthPolicies.Steward)
            .Accepts<Stream>("text/csv")
            .WithName("UploadDatasetVersion")
            .WithSummary("Upload a new version of the dataset's source table (CSV body, ?reason=...); the budget ledger continues or restarts as its policy says");
        datasets.MapPut("/{id:guid}/policy", ChangePolicy).RequireAuthorization(AuthPolicies.Steward)
            .WithName("ChangeDatasetPolicy")
            .WithSummary("Put the dataset under another loaded policy, for requests submitted from now on");
        datasets.MapPost("/{id:guid}/retire", Retire).RequireAuthorization(AuthPolicies.Steward)
            .WithName("RetireDataset")
            .WithSummary("Retire the dataset: no new requests; published releases stay downloadable until their expiry");
        datasets.MapGet("/{id:guid}/history", History).RequireAuthorization(AuthPolicies.Authenticated)
            .WithName("GetDatasetHistory")
            .WithSummary("The dataset's events: registration, sources and versions, committee and policy changes, retirement, with their reasons");
    }

    private static async Task<Ok<DatasetDetails>> UploadVersion(Guid id, string? reason, HttpContext http, SourceTableStore sources,
        DatasetLifecycleCommands commands, CancellationToken ct)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = sources.MaxUploadBytes + 1;
        return TypedResults.Ok(DatasetQueries.VisibleTo(await commands.UploadVersionAsync(CommandContext.Of(http), id, new UploadDatasetVersion(reason ?? ""),
            http.Request.Body, http.Request.ContentLength, ct), http.GetActor().Roles));
    }

    private static async Task<Ok<DatasetDetails>> ChangePolicy(Guid id, ChangeDatasetPolicy body, HttpContext http, DatasetLifecycleCommands commands,
        CancellationToken ct) =>
        TypedResults.Ok(await commands.ChangePolicyAsync(CommandContext.Of(http), id, body with { Policy = body.Policy ?? "", Reason = body.Reason ?? "" }, ct));

    private static async Task<Ok<DatasetDetails>> Retire(Guid id, RetireDataset body, HttpContext http, DatasetLifecycleCommands commands, CancellationToken ct) =>
        TypedResults.Ok(await commands.RetireAsync(CommandContext.Of(http), id, body with { Reason = body.Reason ?? "" }, ct));

    private static async Task<Ok<IReadOnlyList<DatasetHistoryEntry>>> History(Guid id, HttpContext http, IEventStore store, CancellationToken ct)
    {
        _ = await store.LoadAsync<DatasetDetails>(id, ct) ?? throw new RequestRefusedException(RequestErrors.DatasetNotFound(id.ToString()));
        return TypedResults.Ok(await DatasetHistory.OfAsync(store, id, http.GetActor().Roles, ct));
    }
}
