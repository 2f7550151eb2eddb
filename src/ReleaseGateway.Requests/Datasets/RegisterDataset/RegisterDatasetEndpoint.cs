using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Requests.Datasets.RegisterDataset;

/// <param name="Schema">The schema document (synthesis format, or the <c>{"col": k}</c> shorthand).</param>
public sealed record RegisterDatasetBody(string Name, string Description, string Owner, JsonElement Schema);

internal static class RegisterDatasetEndpoint
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder datasets) => datasets
        .MapPost("/", Handle)
        .RequireAuthorization(AuthPolicies.Steward)
        .WithName("RegisterDataset")
        .WithSummary("Register a source dataset: name, description, owning organisation and its public schema")
        .WithDescription("The dataset's policy is policies/NAME.yaml when present, else policies/default.yaml. Upload the table next with PUT /datasets/{id}/source.");

    private static async Task<Created<DatasetDetails>> Handle(
        RegisterDatasetBody body, HttpContext http, IEventStore store, PolicyCatalog policies, TimeProvider time, CancellationToken ct)
    {
        var command = new RegisterDataset(Guid.CreateVersion7(), body.Name ?? "", body.Description ?? "", body.Owner ?? "",
            body.Schema.ValueKind == JsonValueKind.Undefined ? "" : body.Schema.GetRawText(), http.ToActor(), time.GetUtcNow());
        var registered = RegisterDatasetDecider.Handle(command, policies);
        try
        {
            await using var session = store.OpenSession(http.GetEventMetadata(WorkflowRoles.DataSteward));
            session.StartStream(NameStreamId(registered.Name), new DatasetNameClaimed(registered.Name, registered.DatasetId, registered.RegisteredBy, registered.RegisteredAt));
            session.StartStream(registered.DatasetId, registered);
            await session.SaveChangesAsync(ct);
        }
        catch (StreamVersionConflictException)
        {
            throw new RequestRefusedException(RequestErrors.DatasetNameTaken(registered.Name));
        }
        var details = await store.LoadAsync<DatasetDetails>(registered.DatasetId, ct)
            ?? throw new RequestRefusedException(RequestErrors.DatasetNotFound(registered.DatasetId.ToString()));
        return TypedResults.Created($"/datasets/{details.Id}", details);
    }

    private static Guid NameStreamId(string name) => new(SHA256.HashData(Encoding.UTF8.GetBytes("dataset-name\n" + name)).AsSpan(0, 16));
}
