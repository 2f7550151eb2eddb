using ReleaseGateway.Requests.Consent;
using System.Security.Cryptography;
using System.Text;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Requests.AccessRequests;
using FluentValidation;
using ReleaseGateway.Requests.Audit;
using ReleaseGateway.Requests.Committees;
using ReleaseGateway.Requests.Datasets.RegisterDataset;
using ReleaseGateway.Requests.Datasets.UploadSourceTable;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Requests.Workflows;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Datasets.Sources;

namespace ReleaseGateway.Requests.Datasets;

/// <summary>
/// The dataset commands as the HTTP endpoints, the web pages and jobs all run them, in-process, for the caller
/// described by a <see cref="CommandContext"/>. Refusals throw <see cref="RequestRefusedException"/>, <see cref="FluentValidation.ValidationException"/>
/// or (uploads) <see cref="global::ReleaseGateway.Datasets.Data.CsvValidationException"/>, with nothing stored.
/// </summary>
public sealed class DatasetCommands(IEventStore store, PolicyCatalog policies, SourceTableStore sources, TimeProvider time, Refusals refusals,
    EngineSourceOptions engines)
{
    /// <param name="schemaJson">The schema document (synthesis format, or the <c>{"col": k}</c> shorthand), as text.</param>
    /// <param name="committee">The name or id of the committee that decides its requests; null: the default committee.</param>
    public async Task<DatasetDetails> RegisterAsync(CommandContext caller, string name, string description, string owner, string schemaJson, CancellationToken ct,
        string? committee = null, IReadOnlyList<ConsentTerm>? consent = null)
    {
        Guid? committeeId = string.IsNullOrEmpty(committee) || committee == RequestCommittee.DefaultName ? null
            : (await CommitteeCommands.FindAsync(store, committee, ct)).Id;
        var command = new RegisterDataset.RegisterDataset(Guid.CreateVersion7(), name, description, owner, schemaJson, caller.Actor, time.GetUtcNow(),
            committeeId, consent);
        var registered = RegisterDatasetDecider.Handle(command, policies);
        try
        {
            await using var session = store.OpenSession(caller.Metadata(WorkflowRoles.DataSteward));
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
    public Task<DatasetDetails> UploadSourceTableAsync(CommandContext caller, Guid id, Stream csv, long? declaredLength, CancellationToken ct) =>
        refusals.RecordedAsync(caller, id, "upload-source", () => UploadSourceTableCoreAsync(caller, id, csv, declaredLength, ct));

    private async Task<DatasetDetails> UploadSourceTableCoreAsync(CommandContext caller, Guid id, Stream csv, long? declaredLength, CancellationToken ct)
    {
        var actor = caller.Actor;
        var dataset = await store.LoadAsync<DatasetDetails>(id, ct) ?? throw new RequestRefusedException(RequestErrors.DatasetNotFound(id.ToString()));
        if (dataset.RegisteredBy != actor.Id) throw new RequestRefusedException(RequestErrors.NotDatasetSteward(id));
        if (dataset.SourceUploaded || sources.Exists(id)) throw new RequestRefusedException(RequestErrors.SourceAlreadyUploaded(id));
        if (declaredLength > sources.MaxUploadBytes) throw new UploadTooLargeException(sources.MaxUploadBytes);
        var schema = DatasetSchema.Parse(dataset.SchemaJson);
        // The policy may have changed since registration (policy files are read at start-up).
        RegisterDatasetDecider.RequirePersonKeyIfPolicySays(dataset.Name, schema, policies.For(dataset.Name));

        var stored = await sources.StoreAsync(id, csv, schema, policies.For(dataset.Name).MinSourceRows, ct);
        await using (var session = store.OpenSession(caller.Metadata(WorkflowRoles.DataSteward)))
        {
            session.Append(id, dataset.Version, new SourceTableUploaded(id, stored.Rows, stored.Bytes, stored.Sha256, actor.Id, time.GetUtcNow()));
            await session.SaveChangesAsync(ct);
        }
        return (await store.LoadAsync<DatasetDetails>(id, ct))!;
    }

    /// <summary>
    /// Names the committee that decides requests on the dataset from now on (<paramref name="committee"/>: a name or id, or
    /// <c>default</c>); requests already submitted stay with the committee they were submitted to.
    /// </summary>
    public Task<DatasetDetails> AssignCommitteeAsync(CommandContext caller, Guid id, string committee, CancellationToken ct) =>
        refusals.RecordedAsync(caller, id, "assign-committee", async () =>
        {
            var dataset = await store.LoadAsync<DatasetDetails>(id, ct) ?? throw new RequestRefusedException(RequestErrors.DatasetNotFound(id.ToString()));
            if (!caller.Actor.IsIn(WorkflowRoles.DataSteward) || dataset.RegisteredBy != caller.Actor.Id)
                throw new RequestRefusedException(RequestErrors.NotDatasetStewardForCommittee(id));
            if (string.IsNullOrWhiteSpace(committee))
                throw new ValidationException([new FluentValidation.Results.ValidationFailure("Committee", "Name the committee (or 'default').")]);
            Guid? committeeId = committee == RequestCommittee.DefaultName ? null : (await CommitteeCommands.FindAsync(store, committee, ct)).Id;
            if (committeeId == dataset.CommitteeId) return dataset;
            await using (var session = store.OpenSession(caller.Metadata(WorkflowRoles.DataSteward)))
            {
                session.Append(id, dataset.Version, new DatasetCommitteeAssigned(id, committeeId, caller.Actor.Id, time.GetUtcNow()));
                await session.SaveChangesAsync(ct);
            }
            return (await store.LoadAsync<DatasetDetails>(id, ct))!;
        });

    /// <summary>
    /// Connects the dataset to an engine-backed source (ADR 0038): only its steward, only while it has no source, only a
    /// source that passes every check in one snapshot (connection, relation, columns and types, every value in the domain,
    /// the policy's minimum rows, no bounds-only columns: RG3101). Refusals carry RG2100–RG2107 or RG3101 and store nothing.
    /// </summary>
    public Task<DatasetDetails> ConnectSourceTableAsync(CommandContext caller, Guid id, ConnectSourceTable.ConnectSourceTable command, CancellationToken ct) =>
        refusals.RecordedAsync(caller, id, "connect-source", () => ConnectSourceTableCoreAsync(caller, id, command, ct));

    private async Task<DatasetDetails> ConnectSourceTableCoreAsync(CommandContext caller, Guid id, ConnectSourceTable.ConnectSourceTable command, CancellationToken ct)
    {
        var actor = caller.Actor;
        var dataset = await store.LoadAsync<DatasetDetails>(id, ct) ?? throw new RequestRefusedException(RequestErrors.DatasetNotFound(id.ToString()));
        if (dataset.RegisteredBy != actor.Id) throw new RequestRefusedException(RequestErrors.NotDatasetSteward(id));
        if (dataset.SourceUploaded || sources.Exists(id)) throw new RequestRefusedException(RequestErrors.SourceAlreadyUploaded(id));
        var checkedCommand = new ConnectSourceTable.ConnectSourceTableValidator().Validate(command);
        if (!checkedCommand.IsValid)
            throw new RequestRefusedException(RequestErrors.From(Problems.ErrorCodes.SourceKindInvalid,
                string.Join(" ", checkedCommand.Errors.Select(e => e.ErrorMessage).Distinct()) + " Nothing was stored."));
        var schema = DatasetSchema.Parse(dataset.SchemaJson);
        var policy = policies.For(dataset.Name);
        RegisterDatasetDecider.RequirePersonKeyIfPolicySays(dataset.Name, schema, policy);
        if (schema.DpBinnedColumns.Count > 0)
            throw new RequestRefusedException(RequestErrors.DpBinsNeedUploadedSource(string.Join(", ", schema.DpBinnedColumns.Select(c => $"'{c.Name}'"))));

        var source = command.ToSource();
        SourceInspection inspection;
        try
        {
            inspection = await Task.Run(() =>
            {
                using var table = EngineTable.Open(source, engines);
                return table.Inspect(schema);
            }, ct);
        }
        catch (SourceProblemException e)
        {
            throw new RequestRefusedException(ConnectSourceTable.ConnectSourceTableEndpoint.Refusal(e));
        }
        // The steward holds the table, so the refusal may name its size (as for an upload).
        if (inspection.Rows < policy.MinSourceRows) throw new RequestRefusedException(RequestErrors.SourceTooSmall(inspection.Rows, policy.MinSourceRows));

        await using (var session = store.OpenSession(caller.Metadata(WorkflowRoles.DataSteward)))
        {
            session.Append(id, dataset.Version, new SourceTableConnected(id, source, inspection.Rows, inspection.Fingerprint, actor.Id, time.GetUtcNow()));
            await session.SaveChangesAsync(ct);
        }
        return (await store.LoadAsync<DatasetDetails>(id, ct))!;
    }

    private static Guid NameStreamId(string name) => new(SHA256.HashData(Encoding.UTF8.GetBytes("dataset-name\n" + name)).AsSpan(0, 16));
}
