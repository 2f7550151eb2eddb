using ReleaseGateway.Requests.Consent;
using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace ReleaseGateway.Requests.Datasets.RegisterDataset;

/// <param name="Schema">The schema document (synthesis format, or the <c>{"col": k}</c> shorthand).</param>
/// <param name="Consent">The data's DUO consent terms (docs/committees.md); omitted: none, and requests state no DUO use.</param>
/// <param name="Committee">The name (or id) of the committee that decides its requests; omitted: the default committee.</param>
public sealed record RegisterDatasetBody(string Name, string Description, string Owner, JsonElement Schema, string? Committee = null,
    IReadOnlyList<ConsentTerm>? Consent = null);

internal static class RegisterDatasetEndpoint
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder datasets) => datasets
        .MapPost("/", Handle)
        .RequireAuthorization(AuthPolicies.Steward)
        .WithName("RegisterDataset")
        .WithSummary("Register a source dataset: name, description, owning organisation and its public schema")
        .WithDescription("The dataset's policy is policies/NAME.yaml when present, else policies/default.yaml. Upload the table next with PUT /datasets/{id}/source.");

    private static async Task<Created<DatasetDetails>> Handle(RegisterDatasetBody body, HttpContext http, DatasetCommands commands, CancellationToken ct)
    {
        var details = await commands.RegisterAsync(CommandContext.Of(http), body.Name ?? "", body.Description ?? "", body.Owner ?? "",
            body.Schema.ValueKind == JsonValueKind.Undefined ? "" : body.Schema.GetRawText(), ct, body.Committee, body.Consent);
        return TypedResults.Created($"/datasets/{details.Id}", details);
    }
}
