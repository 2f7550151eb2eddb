using ReleaseGateway.Requests.Consent;
using ReleaseGateway.EventStore;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Datasets.Sources;

namespace ReleaseGateway.Requests.Datasets;

/// <summary>
/// Read model of a dataset (also the state its deciders use). Never holds data, only its description. <see cref="Source"/>
/// is null for an uploaded file; <see cref="SourceSha256"/> is then the upload's SHA-256, else the engine snapshot's fingerprint.
/// <see cref="SourceVersion"/> is the current uploaded version from the second on (null: the first); <see cref="PolicySetAt"/> is
/// set once a steward changed the policy (then <see cref="Policy"/> is the one in force); <see cref="RetiredAt"/> once retired (ADR 0057).
/// </summary>
public sealed record DatasetDetails(
    Guid Id,
    string Name,
    string Description,
    string Owner,
    string SchemaJson,
    IReadOnlyList<string> SynthesisColumns,
    string Policy,
    string RegisteredBy,
    DateTimeOffset RegisteredAt,
    bool SourceUploaded,
    long? SourceRows,
    string? SourceSha256,
    long Version,
    Guid? CommitteeId = null,
    IReadOnlyList<ConsentTerm>? Consent = null,
    EngineSource? Source = null,
    int? SourceVersion = null,
    DateTimeOffset? PolicySetAt = null,
    DateTimeOffset? RetiredAt = null,
    string? RetiredReason = null)
{
    public bool IsRetired => RetiredAt is not null;

    /// <summary>The uploaded version in use: 0 before any source, 1 for the first.</summary>
    public int CurrentVersion => SourceVersion ?? (SourceUploaded ? 1 : 0);

    public static DatasetDetails? Evolve(DatasetDetails? current, object @event) => @event switch
    {
        DatasetRegistered e => new DatasetDetails(e.DatasetId, e.Name, e.Description, e.Owner, e.SchemaJson,
            DatasetSchema.Parse(e.SchemaJson).SynthesisColumns.Select(c => c.Name).ToList(), e.Policy, e.RegisteredBy, e.RegisteredAt,
            false, null, null, 1, e.CommitteeId, e.Consent),
        DatasetCommitteeAssigned e when current is not null => current with { CommitteeId = e.CommitteeId, Version = current.Version + 1 },
        SourceTableUploaded e when current is not null =>
            current with { SourceUploaded = true, SourceRows = e.Rows, SourceSha256 = e.Sha256, Version = current.Version + 1 },
        SourceTableConnected e when current is not null =>
            current with { SourceUploaded = true, SourceRows = e.Rows, SourceSha256 = e.Fingerprint, Source = e.Source, Version = current.Version + 1 },
        DatasetVersionUploaded e when current is not null => current with
        {
            SourceRows = e.Rows, SourceSha256 = e.Sha256, SourceVersion = e.SourceVersion, Version = current.Version + 1,
        },
        DatasetPolicyChanged e when current is not null => current with { Policy = e.Policy, PolicySetAt = e.ChangedAt, Version = current.Version + 1 },
        DatasetRetired e when current is not null => current with { RetiredAt = e.RetiredAt, RetiredReason = e.Reason, Version = current.Version + 1 },
        _ when current is not null => current with { Version = current.Version + 1 },
        _ => current,
    };
}

public sealed class DatasetDetailsProjection : SingleStreamProjection<DatasetDetails>
{
    public override DatasetDetails? Apply(DatasetDetails? current, StoredEvent @event) =>
        @event.Data is { } data ? DatasetDetails.Evolve(current, data) : current;
}
