using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.Workflows;
using ReleaseGateway.Synthesis.Schema;

namespace ReleaseGateway.Requests.Datasets.UploadSourceTable;

internal static class UploadSourceTableEndpoint
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder datasets) => datasets
        .MapPut("/{id:guid}/source", Handle)
        .RequireAuthorization(AuthPolicies.Steward)
        .Accepts<Stream>("text/csv")
        .WithName("UploadSourceTable")
        .WithSummary("Upload the dataset's source table (CSV body, streamed); validated against the schema, stored encrypted")
        .WithDescription("A rejected upload answers 400 with every problem's row and column and stores nothing. The table is never served back.");

    private static async Task<Ok<DatasetDetails>> Handle(Guid id, HttpContext http, IEventStore store, SourceTableStore sources, TimeProvider time, CancellationToken ct)
    {
        var actor = http.ToActor();
        var dataset = await store.LoadAsync<DatasetDetails>(id, ct) ?? throw new RequestRefusedException(RequestErrors.DatasetNotFound(id.ToString()));
        if (dataset.RegisteredBy != actor.Id) throw new RequestRefusedException(RequestErrors.NotDatasetSteward(id));
        if (dataset.SourceUploaded || sources.Exists(id)) throw new RequestRefusedException(RequestErrors.SourceAlreadyUploaded(id));
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = sources.MaxUploadBytes + 1;
        if (http.Request.ContentLength > sources.MaxUploadBytes) throw new UploadTooLargeException(sources.MaxUploadBytes);

        var stored = await sources.StoreAsync(id, http.Request.Body, DatasetSchema.Parse(dataset.SchemaJson), ct);
        await using (var session = store.OpenSession(http.GetEventMetadata(WorkflowRoles.DataSteward)))
        {
            session.Append(id, dataset.Version, new SourceTableUploaded(id, stored.Rows, stored.Bytes, stored.Sha256, actor.Id, time.GetUtcNow()));
            await session.SaveChangesAsync(ct);
        }
        return TypedResults.Ok((await store.LoadAsync<DatasetDetails>(id, ct))!);
    }
}
