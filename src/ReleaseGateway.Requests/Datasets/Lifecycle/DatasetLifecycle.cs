using FluentValidation;
using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;
using ReleaseGateway.Requests.Audit;
using ReleaseGateway.Requests.Datasets.RegisterDataset;
using ReleaseGateway.Requests.Datasets.UploadSourceTable;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Requests.Validation;
using ReleaseGateway.Requests.Workflows;
using ReleaseGateway.Datasets.Schema;

namespace ReleaseGateway.Requests.Datasets.Lifecycle;

/// <summary>The steward's reason for a new version; the table itself is the body.</summary>
public sealed record UploadDatasetVersion(string Reason);

/// <param name="Policy">The name of a loaded policy (<c>policies/NAME.yaml</c>).</param>
public sealed record ChangeDatasetPolicy(string Policy, string Reason);

public sealed record RetireDataset(string Reason);

public sealed class UploadDatasetVersionValidator : AbstractValidator<UploadDatasetVersion>
{
    public UploadDatasetVersionValidator() => RuleFor(c => c.Reason).Cascade(CascadeMode.Stop)
        .NotEmpty().WithMessage("Say why there is a new version (it is recorded).").SetValidator(new ReasonValidator());
}

public sealed class ChangeDatasetPolicyValidator : AbstractValidator<ChangeDatasetPolicy>
{
    public ChangeDatasetPolicyValidator()
    {
        RuleFor(c => c.Policy).NotEmpty().WithMessage("Name the policy (a file policies/NAME.yaml the gateway loaded).")
            .Matches("^[a-z0-9][a-z0-9-]{0,62}$").WithMessage("A policy name is 1-63 lower-case letters, digits or dashes.");
        RuleFor(c => c.Reason).Cascade(CascadeMode.Stop).NotEmpty().WithMessage("Say why the policy changes (it is recorded).").SetValidator(new ReasonValidator());
    }
}

public sealed class RetireDatasetValidator : AbstractValidator<RetireDataset>
{
    public RetireDatasetValidator() => RuleFor(c => c.Reason).Cascade(CascadeMode.Stop)
        .NotEmpty().WithMessage("Say why the dataset is retired (it is recorded).").SetValidator(new ReasonValidator());
}

/// <summary>
/// Lets the release module take part in a new version in the same commit (ADR 0057): the budget ledger's restart, when the
/// policy says so, is recorded with the version or not at all. It may refuse by throwing <see cref="RequestRefusedException"/>.
/// </summary>
public interface IDatasetVersionHook
{
    Task StageAsync(IEventSession session, DatasetDetails dataset, DatasetVersionUploaded version, CancellationToken ct);
}

/// <summary>The pure rules of the lifecycle: who may, in which state, with which event (ADR 0057).</summary>
public static class DatasetLifecycleDecider
{
    public static void RequireSteward(DatasetDetails dataset, Actor actor, string what)
    {
        if (!actor.IsIn(WorkflowRoles.DataSteward) || dataset.RegisteredBy != actor.Id)
            throw new RequestRefusedException(RequestErrors.NotDatasetStewardFor(dataset.Id, what));
    }

    public static void RequireActive(DatasetDetails dataset, string what)
    {
        if (dataset.IsRetired) throw new RequestRefusedException(RequestErrors.DatasetRetired(dataset.Name, what));
    }

    /// <summary>
    /// The ledger decision of a new version, from the dataset's policy now: a restart only where the policy declares it, with the
    /// policy's statement as the reason; otherwise the ledger continues, which is sound whoever the new version holds.
    /// </summary>
    public static (string Ledger, string Reason) LedgerOf(DatasetPolicy policy) => policy.Versions.Ledger == VersionLedger.Restart
        ? (VersionLedger.Restart, $"policy '{policy.Name}' restarts the ledger at a new version: {policy.Versions.Reason}")
        : (VersionLedger.Continue, $"policy '{policy.Name}' continues the ledger: the new version may hold people of earlier ones, so every release still composes");

    public static DatasetPolicyChanged ChangePolicy(DatasetDetails dataset, DatasetPolicy current, DatasetPolicy next, ChangeDatasetPolicy command,
        Actor actor, DateTimeOffset now)
    {
        RequireSteward(dataset, actor, "change its policy");
        RequireActive(dataset, "policy changes");
        new ChangeDatasetPolicyValidator().ValidateAndThrow(command);
        if (current.Name == next.Name) throw new RequestRefusedException(RequestErrors.PolicyUnchanged(dataset.Name, next.Name));
        RegisterDatasetDecider.RequirePersonKeyIfPolicySays(dataset.Name, DatasetSchema.Parse(dataset.SchemaJson), next);
        return new DatasetPolicyChanged(dataset.Id, next.Name, current.Name, command.Reason, actor.Id, now);
    }

    public static DatasetRetired Retire(DatasetDetails dataset, RetireDataset command, Actor actor, DateTimeOffset now)
    {
        RequireSteward(dataset, actor, "retire it");
        RequireActive(dataset, "second retirement");
        new RetireDatasetValidator().ValidateAndThrow(command);
        return new DatasetRetired(dataset.Id, command.Reason, actor.Id, now);
    }
}

/// <summary>
/// New versions, policy changes and retirement of a dataset, as the endpoints, the web page and <c>rgw datasets</c> run them
/// (ADR 0057). Each is validated, checked against the dataset's state, and recorded as one event on the dataset's stream; a
/// refusal stores nothing (a new version's staged upload is discarded) and is recorded beside the dataset.
/// </summary>
public sealed class DatasetLifecycleCommands(IEventStore store, PolicyCatalog policies, WorkflowCatalog workflows, SourceTableStore sources,
    TimeProvider time, Refusals refusals, IEnumerable<IDatasetVersionHook> hooks)
{
    public Task<DatasetDetails> UploadVersionAsync(CommandContext caller, Guid id, UploadDatasetVersion command, Stream csv, long? declaredLength,
        CancellationToken ct) =>
        refusals.RecordedAsync(caller, id, "upload-version", async () =>
        {
            var dataset = await LoadAsync(id, ct);
            DatasetLifecycleDecider.RequireSteward(dataset, caller.Actor, "upload a new version");
            DatasetLifecycleDecider.RequireActive(dataset, "new versions");
            new UploadDatasetVersionValidator().ValidateAndThrow(command);
            if (!dataset.SourceUploaded || dataset.Source is not null)
                throw new RequestRefusedException(RequestErrors.VersionNeedsUploadedSource(dataset.Name));
            await RequireNoReleaseInFlightAsync(dataset, ct);
            if (declaredLength > sources.MaxUploadBytes) throw new UploadTooLargeException(sources.MaxUploadBytes);
            var policy = policies.Of(dataset);
            var schema = DatasetSchema.Parse(dataset.SchemaJson);
            RegisterDatasetDecider.RequirePersonKeyIfPolicySays(dataset.Name, schema, policy);
            var version = dataset.CurrentVersion + 1;
            // A blob left by an upload whose event was never stored (a crash, a lost race) is overwritten by no one: refuse.
            if (sources.Exists(id, version)) throw new RequestRefusedException(RequestErrors.SourceAlreadyUploaded(id));
            var stored = await sources.StoreAsync(id, csv, schema, policy.MinSourceRows, ct, version);
            var (ledger, ledgerReason) = DatasetLifecycleDecider.LedgerOf(policy);
            var uploaded = new DatasetVersionUploaded(id, version, stored.Rows, stored.Bytes, stored.Sha256, policy.Name, ledger, ledgerReason, command.Reason,
                caller.Actor.Id, time.GetUtcNow());
            try
            {
                await using var session = store.OpenSession(caller.Metadata(WorkflowRoles.DataSteward));
                session.Append(id, dataset.Version, uploaded);
                foreach (var hook in hooks) await hook.StageAsync(session, dataset, uploaded, ct);
                await session.SaveChangesAsync(ct);
            }
            catch
            {
                // Not recorded, so not kept: the blob is this call's (publishing refuses an existing name).
                sources.Delete(id, version);
                throw;
            }
            return await LoadAsync(id, ct);
        });

    public Task<DatasetDetails> ChangePolicyAsync(CommandContext caller, Guid id, ChangeDatasetPolicy command, CancellationToken ct) =>
        refusals.RecordedAsync(caller, id, "set-policy", async () =>
        {
            var dataset = await LoadAsync(id, ct);
            DatasetLifecycleDecider.RequireSteward(dataset, caller.Actor, "change its policy");
            new ChangeDatasetPolicyValidator().ValidateAndThrow(command);
            var changed = DatasetLifecycleDecider.ChangePolicy(dataset, policies.Of(dataset), policies.Named(command.Policy), command, caller.Actor, time.GetUtcNow());
            return await AppendAsync(caller, dataset, changed, ct);
        });

    public Task<DatasetDetails> RetireAsync(CommandContext caller, Guid id, RetireDataset command, CancellationToken ct) =>
        refusals.RecordedAsync(caller, id, "retire", async () =>
        {
            var dataset = await LoadAsync(id, ct);
            return await AppendAsync(caller, dataset, DatasetLifecycleDecider.Retire(dataset, command, caller.Actor, time.GetUtcNow()), ct);
        });

    /// <summary>The requests on the dataset the pipeline still acts on (approved, not yet published or blocked).</summary>
    public async Task<IReadOnlyList<AccessRequestDetails>> InFlightAsync(DatasetDetails dataset, CancellationToken ct)
    {
        var pipelineTriggers = new[] { WorkflowTriggers.StartGeneration, WorkflowTriggers.CompleteGeneration, WorkflowTriggers.PassGates, WorkflowTriggers.Publish };
        var states = workflows.All.Values.SelectMany(w => w.Transitions).Where(t => pipelineTriggers.Contains(t.Trigger)).SelectMany(t => t.From)
            .ToHashSet(StringComparer.Ordinal);
        return (await AccessRequestQueries.OfDatasetAsync(store, dataset.Id, ct)).Where(r => states.Contains(r.State)).ToList();
    }

    // A release reads the version it recorded at generation, and a ledger restart must not strand a reservation made before it:
    // a new version waits until the pipeline has finished with every approved request.
    private async Task RequireNoReleaseInFlightAsync(DatasetDetails dataset, CancellationToken ct)
    {
        var inFlight = await InFlightAsync(dataset, ct);
        if (inFlight.Count > 0) throw new RequestRefusedException(RequestErrors.ReleaseInFlight(dataset.Name, inFlight.Count));
    }

    private async Task<DatasetDetails> AppendAsync(CommandContext caller, DatasetDetails dataset, object @event, CancellationToken ct)
    {
        await using (var session = store.OpenSession(caller.Metadata(WorkflowRoles.DataSteward)))
        {
            session.Append(dataset.Id, dataset.Version, @event);
            await session.SaveChangesAsync(ct);
        }
        return await LoadAsync(dataset.Id, ct);
    }

    private async Task<DatasetDetails> LoadAsync(Guid id, CancellationToken ct) =>
        await store.LoadAsync<DatasetDetails>(id, ct) ?? throw new RequestRefusedException(RequestErrors.DatasetNotFound(id.ToString()));
}
