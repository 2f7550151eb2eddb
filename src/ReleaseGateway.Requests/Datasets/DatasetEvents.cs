using ReleaseGateway.Requests.Consent;
using ReleaseGateway.Datasets.Sources;

namespace ReleaseGateway.Requests.Datasets;

/// <summary>
/// A steward registered a dataset. <c>Owner</c> is the organisation responsible for the data, not a
/// person; <c>SchemaJson</c> is the public schema exactly as submitted (the synthesis engine's format);
/// <c>CommitteeId</c> names the committee that decides its requests (null: the default committee, ADR 0047); <c>Consent</c> the
/// data's DUO consent terms (null: none, ADR 0048).
/// </summary>
public sealed record DatasetRegistered(
    Guid DatasetId, string Name, string Description, string Owner, string SchemaJson, string Policy, string RegisteredBy, DateTimeOffset RegisteredAt,
    Guid? CommitteeId = null, IReadOnlyList<ConsentTerm>? Consent = null);

/// <summary>The steward named another committee for the dataset (null: the default one); requests submitted from now on go to it.</summary>
public sealed record DatasetCommitteeAssigned(Guid DatasetId, Guid? CommitteeId, string AssignedBy, DateTimeOffset AssignedAt);

/// <summary>The source table passed validation and is stored encrypted; <c>Sha256</c> is over the plaintext CSV.</summary>
public sealed record SourceTableUploaded(Guid DatasetId, long Rows, long Bytes, string Sha256, string UploadedBy, DateTimeOffset UploadedAt);

/// <summary>
/// The steward connected the dataset to a source kept in a database engine (ADR 0038): a PostgreSQL table, view or query
/// under a configured connection name (the connection string itself is never recorded), or a large CSV/Parquet file read
/// by DuckDB. It was checked against the schema in one snapshot, whose exact row count and fingerprint are recorded here
/// (inside the trust boundary, like an upload's row count and SHA-256).
/// </summary>
public sealed record SourceTableConnected(Guid DatasetId, EngineSource Source, long Rows, string Fingerprint, string ConnectedBy, DateTimeOffset ConnectedAt);

/// <summary>
/// A new version of the dataset: a new upload under the same name, schema and id, stored beside the earlier ones (ADR 0057).
/// <c>Ledger</c> is what its policy's <c>versions.ledger</c> said (<c>continue</c> or <c>restart</c>), <c>LedgerReason</c> why
/// (the policy's statement, or that a continued ledger is sound whoever is in the new version); <c>Reason</c> is the steward's.
/// </summary>
public sealed record DatasetVersionUploaded(Guid DatasetId, int SourceVersion, long Rows, long Bytes, string Sha256, string Policy, string Ledger,
    string LedgerReason, string Reason, string UploadedBy, DateTimeOffset UploadedAt);

/// <summary>The steward put the dataset under another loaded policy; requests submitted from now on follow it, earlier ones keep theirs (ADR 0057).</summary>
public sealed record DatasetPolicyChanged(Guid DatasetId, string Policy, string PreviousPolicy, string Reason, string ChangedBy, DateTimeOffset ChangedAt);

/// <summary>The steward retired the dataset: no new requests; releases already published stay until their expiry (ADR 0057).</summary>
public sealed record DatasetRetired(Guid DatasetId, string Reason, string RetiredBy, DateTimeOffset RetiredAt);

/// <summary>Claims a dataset name (stream id derived from the name) so two registrations cannot take the same one.</summary>
public sealed record DatasetNameClaimed(string Name, Guid DatasetId, string ClaimedBy, DateTimeOffset ClaimedAt);

public static class DatasetEventTypes
{
    public static readonly IReadOnlyList<Type> All = [typeof(DatasetRegistered), typeof(SourceTableUploaded), typeof(DatasetNameClaimed), typeof(DatasetCommitteeAssigned), typeof(SourceTableConnected),
        typeof(DatasetVersionUploaded), typeof(DatasetPolicyChanged), typeof(DatasetRetired)];
}
