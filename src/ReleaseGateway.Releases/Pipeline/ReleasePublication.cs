using System.Text;
using ReleaseGateway.EventStore;
using ReleaseGateway.EventStore.Verification;
using ReleaseGateway.Releases.Artifacts;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Releases.Manifests;
using ReleaseGateway.Releases.Reports;
using ReleaseGateway.Datasets.Schema;

namespace ReleaseGateway.Releases.Pipeline;

/// <summary>
/// Publishes a release whose DP release check passed: builds the release report (from the synthetic table, the DP
/// measurements and public facts only), writes the signed format-2 manifest, and the <see cref="ReleasePublished"/> event
/// that lists every hash. The committee's evaluation report is never one of the files (docs/privacy.md).
/// </summary>
public sealed class ReleasePublication(ArtifactStore artifacts, Func<AuditSigningKey> signingKey)
{
    public const string ManifestName = "manifest.json";
    public const string SignatureName = "manifest.sig.json";

    /// <summary>Builds and stores the release report, manifest and signature from public configuration (<paramref name="schema"/>, the recorded plan) and DP outputs.</summary>
    public async Task<ReleasePublished> PrepareAsync(IReadOnlyList<StoredEvent> release, PrivacyBudgetLedger ledger, BudgetCap cap, DatasetSchema schema,
        DateTimeOffset now, CancellationToken ct)
    {
        var data = release.Select(e => e.Data).ToList();
        var started = data.OfType<ReleaseGenerationStarted>().Single();
        var generated = data.OfType<SyntheticTableGenerated>().Single();
        var cost = ledger.Entries[started.ReleaseId].Cost;
        var facts = ReleasePrivacy.FactsOf(started);

        // DP-binned columns decode and are described with the attempt's recorded edges (DP output, ADR 0037).
        var released = ReleaseBinsPlaced.Apply(new DatasetSchema(schema.Columns.Where(c => started.Columns.Contains(c.Name)), schema.OutOfDomain),
            ReleaseBinsPlaced.Of(data));
        var synthetic = await SyntheticTable.LoadAsync(artifacts, generated, released, ct);
        var measurements = await StoredMeasurements.LoadAsync(artifacts, generated.Measurements, ct);
        var report = ReleaseReportBuilder.Build(synthetic, measurements, facts);
        var (jsonHash, jsonBytes) = await artifacts.PutAsync(report.ToJson(), ct);
        var (htmlHash, htmlBytes) = await artifacts.PutAsync(Encoding.UTF8.GetBytes(ReleaseReportBuilder.Html(report)), ct);

        IReadOnlyList<ReleaseArtifact> files = [generated.Table, .. generated.Formats ?? [],
            new ReleaseArtifact(ReleaseReport.JsonName, jsonHash, jsonBytes, "application/json"),
            new ReleaseArtifact(ReleaseReport.HtmlName, htmlHash, htmlBytes, "text/html")];
        var expires = now.AddDays(started.AccessDays);
        var manifest = new ReleaseManifest(ReleaseManifest.CurrentFormat, started.ReleaseId, started.RequestId, started.DatasetId, started.DatasetName,
            started.RequesterId, started.Attempt, started.Generator, started.GeneratorVersion,
            new ManifestParameters(started.Epsilon, started.Delta, generated.Rows, started.Columns, started.HoldoutFraction, started.SeedCommitment),
            new ManifestPrivacy(cost.EpsilonAt(cap.Delta), cap.Delta, cost.Rho, cost.Rdp, generated.EpsilonSpentAfter, cap.Epsilon, cap.Delta,
                facts.Unit, facts.MaxRowsPerPerson, facts.SynthesisRho, facts.GateEpsilon, facts.GateRho, facts.BinningRho > 0 ? facts.BinningRho : null),
            files, now, expires);
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
