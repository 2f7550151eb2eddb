using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using ReleaseGateway.EventStore.Verification;
using ReleaseGateway.Releases.Pipeline;

namespace ReleaseGateway.Releases.Manifests;

/// <summary>
/// What a release is, signed by the gateway: where it came from (dataset, request, approvers), how it was made
/// (generator and version, parameters, split and evaluation seeds, a commitment to the secret noise seed), what it
/// cost (ε/δ charged, the dataset's ledger after the charge), how it was judged (gate results) and the SHA-256 of
/// every artifact. The signature (<see cref="ManifestSignature"/>) is over the manifest file's exact bytes.
/// Format: docs/releases.md.
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
    bool GatesPassed,
    IReadOnlyList<GateOutcome> Gates,
    IReadOnlyList<string> Approvers,
    IReadOnlyList<ReleaseArtifact> Artifacts,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt)
{
    public const string CurrentFormat = "rgw-release-manifest/1";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static ReleaseManifest Parse(byte[] bytes) =>
        JsonSerializer.Deserialize<ReleaseManifest>(bytes, Json) ?? throw new InvalidDataException("The manifest is empty.");
}

public sealed record ManifestParameters(double Epsilon, double Delta, int Rows, IReadOnlyList<string> Columns, double HoldoutFraction,
    int? SplitSeed, int? EvaluationSeed, string NoiseSeedCommitment);

/// <summary>
/// What the release cost: its own ε at the cap's δ (<c>EpsilonCharged</c>, <c>DeltaCharged</c>), the cost as the ledger
/// composes it (<c>Rho</c> for zCDP, <c>Rdp</c> a Rényi curve for DP-SGD), and the dataset's composed ε spent after this
/// charge (<c>LedgerEpsilonAfter</c>) against its cap.
/// </summary>
public sealed record ManifestPrivacy(double EpsilonCharged, double DeltaCharged, double Rho, IReadOnlyList<double>? Rdp, double LedgerEpsilonAfter,
    double CapEpsilon, double CapDelta);

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
