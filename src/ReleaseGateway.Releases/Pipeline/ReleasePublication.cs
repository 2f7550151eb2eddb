using ReleaseGateway.EventStore;
using ReleaseGateway.EventStore.Verification;
using ReleaseGateway.Releases.Artifacts;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Releases.Manifests;

namespace ReleaseGateway.Releases.Pipeline;

/// <summary>Writes the signed manifest of a release whose evaluation passed, and the <see cref="ReleasePublished"/> event that lists every hash.</summary>
public sealed class ReleasePublication(ArtifactStore artifacts, Func<AuditSigningKey> signingKey)
{
    public const string ManifestName = "manifest.json";
    public const string SignatureName = "manifest.sig.json";

    public async Task<ReleasePublished> PrepareAsync(IReadOnlyList<StoredEvent> release, PrivacyBudgetLedger ledger, BudgetCap cap, DateTimeOffset now,
        CancellationToken ct)
    {
        var data = release.Select(e => e.Data).ToList();
        var started = data.OfType<ReleaseGenerationStarted>().Single();
        var generated = data.OfType<SyntheticTableGenerated>().Single();
        var evaluated = data.OfType<ReleaseEvaluated>().Last(e => e.Passed);
        var cost = ledger.Entries[started.ReleaseId].Cost;
        IReadOnlyList<ReleaseArtifact> files = [generated.Table, .. generated.Formats ?? [], evaluated.ReportJson, evaluated.ReportHtml];
        var expires = now.AddDays(started.AccessDays);

        var manifest = new ReleaseManifest(ReleaseManifest.CurrentFormat, started.ReleaseId, started.RequestId, started.DatasetId, started.DatasetName,
            started.RequesterId, started.Attempt, started.Generator, started.GeneratorVersion,
            new ManifestParameters(started.Epsilon, started.Delta, generated.Rows, started.Columns, started.HoldoutFraction, started.SplitSeed,
                started.EvaluationSeed, started.SeedCommitment),
            new ManifestPrivacy(cost.EpsilonAt(cap.Delta), cap.Delta, cost.Rho, cost.Rdp, generated.EpsilonSpentAfter, cap.Epsilon, cap.Delta),
            evaluated.Passed, evaluated.Gates, started.Approvers, files, now, expires);
        var manifestBytes = manifest.ToBytes();
        var key = signingKey();
        var signatureBytes = ManifestSignature.Create(manifestBytes, key).ToBytes();
        var (manifestHash, manifestLength) = await artifacts.PutAsync(manifestBytes, ct);
        var (signatureHash, signatureLength) = await artifacts.PutAsync(signatureBytes, ct);
        return new ReleasePublished(started.ReleaseId,
            new ReleaseArtifact(ManifestName, manifestHash, manifestLength, "application/json"),
            new ReleaseArtifact(SignatureName, signatureHash, signatureLength, "application/json"),
            files, key.KeyId, expires, now);
    }
}
