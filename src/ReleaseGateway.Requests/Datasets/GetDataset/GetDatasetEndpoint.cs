using Microsoft.AspNetCore.Http;
using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Requests.Policies;

namespace ReleaseGateway.Requests.Datasets.GetDataset;

/// <summary>A dataset as researchers see it: its description, releasable columns and the limits its policy sets.</summary>
public sealed record DatasetView(DatasetDetails Dataset, DatasetPolicyView Policy);

public sealed record DatasetPolicyView(string Name, double MaxEpsilonPerRelease, int MaxRowsPerRelease, IReadOnlyList<string> AllowedGenerators,
    string Workflow, int ReleaseExpiryDays)
{
    public static DatasetPolicyView Of(DatasetPolicy p) => new(p.Name, p.MaxEpsilonPerRelease, p.MaxRowsPerRelease, p.AllowedGenerators, p.Workflow, p.ReleaseExpiryDays);
}

internal static class GetDatasetEndpoint
{
    public static void Map(RouteGroupBuilder datasets)
    {
        datasets.MapGet("/", List)
            .RequireAuthorization(AuthPolicies.Authenticated)
            .WithName("ListDatasets")
            .WithSummary("Registered datasets with their policy limits");
        datasets.MapGet("/{id:guid}", Get)
            .RequireAuthorization(AuthPolicies.Authenticated)
            .WithName("GetDataset")
            .WithSummary("One dataset: description, schema, releasable columns and policy limits (never the data)");
    }

    private static async Task<Ok<IReadOnlyList<DatasetView>>> List(HttpContext http, IEventStore store, PolicyCatalog policies, CancellationToken ct) =>
        TypedResults.Ok(await DatasetQueries.ListAsync(store, policies, http.GetActor().Roles, ct));

    private static async Task<Ok<DatasetView>> Get(Guid id, HttpContext http, IEventStore store, PolicyCatalog policies, CancellationToken ct) =>
        TypedResults.Ok(await DatasetQueries.GetAsync(store, policies, id, http.GetActor().Roles, ct));
}
