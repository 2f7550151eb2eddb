using ReleaseGateway.Requests.Consent;
using ReleaseGateway.EventStore;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Datasets.Sources;

namespace ReleaseGateway.Requests.Datasets;

/// <summary>
/// Read model of a dataset (also the state its deciders use). Never holds data, only its description. <see cref="Source"/>
/// is null for an uploaded file; <see cref="SourceSha256"/> is then the upload's SHA-256, else the engine snapshot's fingerprint.
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
    EngineSource? Source = null)
{
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
        _ when current is not null => current with { Version = current.Version + 1 },
        _ => current,
    };
}

public sealed class DatasetDetailsProjection : SingleStreamProjection<DatasetDetails>
{
    public override DatasetDetails? Apply(DatasetDetails? current, StoredEvent @event) =>
        @event.Data is { } data ? DatasetDetails.Evolve(current, data) : current;
}
