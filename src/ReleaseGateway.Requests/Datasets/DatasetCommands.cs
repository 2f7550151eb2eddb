using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.Audit;
using ReleaseGateway.Requests.Datasets.RegisterDataset;
using ReleaseGateway.Requests.Datasets.UploadSourceTable;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Requests.Workflows;
using ReleaseGateway.Datasets.Schema;

namespace ReleaseGateway.Requests.Datasets;

/// <summary>
/// The dataset commands as the HTTP endpoints and the web pages both run them, in-process, for the current
/// request's principal. Refusals throw <see cref="RequestRefusedException"/>, <see cref="FluentValidation.ValidationException"/>
/// or (uploads) <see cref="global::ReleaseGateway.Datasets.Data.CsvValidationException"/>, with nothing stored.
/// </summary>
public static class DatasetCommands
{
    /// <param name="schemaJson">The schema document (synthesis format, or the <c>{"col": k}</c> shorthand), as text.</param>
    public static async Task<DatasetDetails> RegisterAsync(HttpContext http, string name, string description, string owner, string schemaJson, CancellationToken ct)
    {
        var services = http.RequestServices;
        var store = services.GetRequiredService<IEventStore>();
        var command = new RegisterDataset.RegisterDataset(Guid.CreateVersion7(), name, description, owner, schemaJson, http.ToActor(),
            services.GetRequiredService<TimeProvider>().GetUtcNow());
        var registered = RegisterDatasetDecider.Handle(command, services.GetRequiredService<PolicyCatalog>());
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
        return await store.LoadAsync<DatasetDetails>(registered.DatasetId, ct)
            ?? throw new RequestRefusedException(RequestErrors.DatasetNotFound(registered.DatasetId.ToString()));
    }

    /// <summary>
    /// Checks who may upload before reading a byte, then streams <paramref name="csv"/> through validation and
    /// encryption (<see cref="SourceTableStore"/>); the table is recorded only once it is stored whole.
    /// </summary>
    /// <param name="declaredLength">The upload's declared size when known, refused early when over the limit.</param>
    public static Task<DatasetDetails> UploadSourceTableAsync(HttpContext http, Guid id, Stream csv, long? declaredLength, CancellationToken ct) =>
        Refusals.RecordedAsync(http, id, "upload-source", () => UploadSourceTableCoreAsync(http, id, csv, declaredLength, ct));

    private static async Task<DatasetDetails> UploadSourceTableCoreAsync(HttpContext http, Guid id, Stream csv, long? declaredLength, CancellationToken ct)
    {
        var services = http.RequestServices;
        var store = services.GetRequiredService<IEventStore>();
        var sources = services.GetRequiredService<SourceTableStore>();
        var actor = http.ToActor();
        var dataset = await store.LoadAsync<DatasetDetails>(id, ct) ?? throw new RequestRefusedException(RequestErrors.DatasetNotFound(id.ToString()));
        if (dataset.RegisteredBy != actor.Id) throw new RequestRefusedException(RequestErrors.NotDatasetSteward(id));
        if (dataset.SourceUploaded || sources.Exists(id)) throw new RequestRefusedException(RequestErrors.SourceAlreadyUploaded(id));
        if (declaredLength > sources.MaxUploadBytes) throw new UploadTooLargeException(sources.MaxUploadBytes);
        var schema = DatasetSchema.Parse(dataset.SchemaJson);
        // The policy may have changed since registration (policy files are read at start-up).
        RegisterDatasetDecider.RequirePersonKeyIfPolicySays(dataset.Name, schema, services.GetRequiredService<PolicyCatalog>().For(dataset.Name));

        var minRows = services.GetRequiredService<PolicyCatalog>().For(dataset.Name).MinSourceRows;
        var stored = await sources.StoreAsync(id, csv, schema, minRows, ct);
        await using (var session = store.OpenSession(http.GetEventMetadata(WorkflowRoles.DataSteward)))
        {
            session.Append(id, dataset.Version, new SourceTableUploaded(id, stored.Rows, stored.Bytes, stored.Sha256, actor.Id,
                services.GetRequiredService<TimeProvider>().GetUtcNow()));
            await session.SaveChangesAsync(ct);
        }
        return (await store.LoadAsync<DatasetDetails>(id, ct))!;
    }

    private static Guid NameStreamId(string name) => new(SHA256.HashData(Encoding.UTF8.GetBytes("dataset-name\n" + name)).AsSpan(0, 16));
}
