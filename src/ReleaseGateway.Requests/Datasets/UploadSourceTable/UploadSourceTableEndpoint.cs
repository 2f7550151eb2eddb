using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

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

    private static async Task<Ok<DatasetDetails>> Handle(Guid id, HttpContext http, SourceTableStore sources, DatasetCommands commands, CancellationToken ct)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = sources.MaxUploadBytes + 1;
        return TypedResults.Ok(await commands.UploadSourceTableAsync(CommandContext.Of(http), id, http.Request.Body, http.Request.ContentLength, ct));
    }
}
