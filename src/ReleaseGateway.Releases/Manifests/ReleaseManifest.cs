using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using ReleaseGateway.EventStore.Verification;
using ReleaseGateway.Releases.Pipeline;

namespace ReleaseGateway.Releases.Manifests;

/// <summary>
/// What a release is, signed by the gateway: where it came from (dataset, request), how it was made (generator and
/// version, the request's terms, a blinded commitment to the secret noise key), what it cost (ε/δ per unit, the ρ split
/// between synthesis and the DP release check, the dataset's ledger after the charge) and the SHA-256 of every artifact.
/// The signature (<see cref="ManifestSignature"/>) is over the manifest file's exact bytes. Format 2 (current) holds no
/// value computed from the real table: no gate values, no train/holdout counts, no split or evaluation seed, no source hash
/// (it goes to the audit log), no approvers (docs/privacy.md). Format 1 manifests of older releases still parse and verify:
/// their extra fields (<see cref="GatesPassed"/>, <see cref="Gates"/>, <see cref="Approvers"/>, the seeds) are null in format 2.
/// Formats: docs/releases.md.
/// </summary>
public sealed record ReleaseManifest(
    string Format,
    Guid ReleaseId,
    Guid RequestId,
    Guid DatasetId,
    string DatasetName,
    string RequesterId,
    int Attempt,
    string Generator,
    string GeneratorVersion,
    ManifestParameters Parameters,
    ManifestPrivacy Privacy,
    IReadOnlyList<ReleaseArtifact> Artifacts,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    bool? GatesPassed = null,
    IReadOnlyList<GateOutcome>? Gates = null,
    IReadOnlyList<string>? Approvers = null)
{
    /// <summary>Releases published before the privacy boundary (ADR 0027): carries gate values, seeds and approvers.</summary>
    public const string Format1 = "rgw-release-manifest/1";
    public const string CurrentFormat = "rgw-release-manifest/2";

    /// <summary>A format-1 manifest: its release carries real-data statistics (flagged, revocable; ADR 0027).</summary>
    [JsonIgnore]
    public bool IsLegacy => Format == Format1;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static ReleaseManifest Parse(byte[] bytes) =>
        JsonSerializer.Deserialize<ReleaseManifest>(bytes, Json) ?? throw new InvalidDataException("The manifest is empty.");
}

/// <summary>
/// The request's terms: ε, δ, synthetic rows (requested, or the synthesizer's DP estimate), columns, the public holdout
/// fraction, and the blinded commitment to the noise key. <c>SplitSeed</c>/<c>EvaluationSeed</c> exist in format 1 only.
/// </summary>
public sealed record ManifestParameters(double Epsilon, double Delta, int Rows, IReadOnlyList<string> Columns, double HoldoutFraction,
    string NoiseSeedCommitment, int? SplitSeed = null, int? EvaluationSeed = null);

/// <summary>
/// What the release cost: its own ε at the cap's δ (<c>EpsilonCharged</c>, <c>DeltaCharged</c>), the cost as the ledger
/// composes it (<c>Rho</c> for zCDP, <c>Rdp</c> a Rényi curve for DP-SGD), and the dataset's composed ε spent after this
/// charge (<c>LedgerEpsilonAfter</c>) against its cap. Format 2 adds the privacy unit ("person" or "row"), k (rows per
/// person kept), and the split of ρ between the synthesizer and the DP release check (ε_g, ρ = ε_g²/2); <c>BinningRho</c>, when
/// present, is the slice spent on DP bin edges (ADR 0037).
/// </summary>
public sealed record ManifestPrivacy(double EpsilonCharged, double DeltaCharged, double Rho, IReadOnlyList<double>? Rdp, double LedgerEpsilonAfter,
    double CapEpsilon, double CapDelta, string? Unit = null, int? MaxRowsPerPerson = null, double? SynthesisRho = null, double? GateEpsilon = null,
    double? GateRho = null, double? BinningRho = null);

/// <summary>The detached signature file shipped next to <c>manifest.json</c>: algorithm, key id, public key and signature.</summary>
public sealed record ManifestSignature(string Format, string Algorithm, string KeyId, string PublicKeyPem, string ManifestSha256, string Signature)
{
    public const string CurrentFormat = "rgw-release-signature/1";

    public static ManifestSignature Create(byte[] manifest, AuditSigningKey key) => new(CurrentFormat, SignedCheckpoint.EcdsaP256, key.KeyId,
        key.ExportPublicKeyPem(), Convert.ToHexStringLower(SHA256.HashData(manifest)), Convert.ToBase64String(key.Sign(manifest)));

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, ReleaseManifest.Json);

    public static ManifestSignature Parse(byte[] bytes) =>
        JsonSerializer.Deserialize<ManifestSignature>(bytes, ReleaseManifest.Json) ?? throw new InvalidDataException("The signature file is empty.");
}
