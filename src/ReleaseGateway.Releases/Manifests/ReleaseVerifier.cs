using System.Security.Cryptography;
using ReleaseGateway.EventStore.Verification;

namespace ReleaseGateway.Releases.Manifests;

public sealed record VerificationFinding(bool Ok, string Subject, string Message);

/// <summary>
/// Offline check of a downloaded release (<c>rgw release verify</c>): the signature over the manifest's bytes with the
/// gateway's public key, and the SHA-256 of every artifact the manifest lists that is present in the folder.
/// Trust comes from the key: pass the gateway's published public key; the key embedded in the signature file is
/// only used when none is given, and the result then says so. Both manifest formats verify (format 1 is flagged).
/// </summary>
public static class ReleaseVerifier
{
    public static IReadOnlyList<VerificationFinding> Verify(string manifestPath, string? signaturePath, AuditSigningKey? trustedKey, bool requireAllArtifacts)
    {
        var findings = new List<VerificationFinding>();
        var manifestBytes = File.ReadAllBytes(manifestPath);
        signaturePath ??= Path.Combine(Path.GetDirectoryName(Path.GetFullPath(manifestPath))!, "manifest.sig.json");
        if (!File.Exists(signaturePath))
        {
            findings.Add(new(false, "signature", $"No signature file at {signaturePath}."));
            return findings;
        }

        ManifestSignature signature;
        ReleaseManifest manifest;
        try
        {
            signature = ManifestSignature.Parse(File.ReadAllBytes(signaturePath));
            manifest = ReleaseManifest.Parse(manifestBytes);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException)
        {
            findings.Add(new(false, "format", $"Unreadable manifest or signature: {e.Message}"));
            return findings;
        }

        if (manifest.Format is not (ReleaseManifest.Format1 or ReleaseManifest.CurrentFormat))
        {
            findings.Add(new(false, "format", $"unknown manifest format '{manifest.Format}'"));
            return findings;
        }
        if (manifest.IsLegacy)
            findings.Add(new(true, "format", "format 1: published before the privacy boundary; this release carries statistics of the real data (docs/privacy.md)"));

        AuditSigningKey? embedded = null;
        try
        {
            if (trustedKey is null) embedded = AuditSigningKey.LoadPem(signature.PublicKeyPem ?? "", "signature file");
            var key = trustedKey ?? embedded!;
            var signatureOk = key.Verify(manifestBytes, Convert.FromBase64String(signature.Signature ?? ""));
            findings.Add(signatureOk
                ? new(true, "signature", trustedKey is null
                    ? $"valid, by the key embedded in the signature file ({key.KeyId}); pass --key with the gateway's public key to check who signed it"
                    : $"valid, by the trusted key {trustedKey.KeyId}")
                : new(false, "signature", $"INVALID for key {key.KeyId}: the manifest was altered or signed by another key"));
        }
        catch (Exception e) when (e is FormatException or ArgumentException or CryptographicException or InvalidDataException)
        {
            findings.Add(new(false, "signature", $"INVALID: unreadable signature or key ({e.Message})"));
        }
        finally
        {
            embedded?.Dispose();
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        if (manifest.Artifacts is null || manifest.Artifacts.Count == 0)
        {
            findings.Add(new(false, "artifacts", "the manifest lists no artifacts"));
            return findings;
        }
        foreach (var artifact in manifest.Artifacts)
        {
            // Names are plain file names in the release folder; anything else would hash files from elsewhere.
            if (string.IsNullOrEmpty(artifact.Name) || artifact.Name != Path.GetFileName(artifact.Name) || artifact.Name is "." or "..")
            {
                findings.Add(new(false, artifact.Name ?? "(unnamed)", "not a plain file name; refused"));
                continue;
            }
            if (artifact.Sha256 is not { Length: 64 } || !artifact.Sha256.All(Uri.IsHexDigit))
            {
                findings.Add(new(false, artifact.Name, "the manifest's hash is not a SHA-256 hex digest"));
                continue;
            }
            var path = Path.Combine(folder, artifact.Name);
            if (!File.Exists(path))
            {
                findings.Add(new(!requireAllArtifacts, artifact.Name, "not present (not checked)"));
                continue;
            }
            using var file = File.OpenRead(path);
            var hash = Convert.ToHexStringLower(SHA256.HashData(file));
            findings.Add(hash == artifact.Sha256
                ? new(true, artifact.Name, $"sha256 {hash[..16]}… matches")
                : new(false, artifact.Name, $"sha256 MISMATCH: file {hash[..16]}…, manifest {artifact.Sha256[..16]}…"));
        }
        return findings;
    }
}
