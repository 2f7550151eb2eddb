using System.Security.Cryptography;
using System.Text;
using ReleaseGateway.Evaluation.Gates;
using ReleaseGateway.EventStore.Verification;
using ReleaseGateway.Releases.Manifests;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Releases.Reports;
using ReleaseGateway.Testing;

namespace ReleaseGateway.Cli.Tests;

/// <summary>
/// <c>rgw release verify</c>, run as a real process on a release folder signed for real (the gateway's manifest
/// format and ECDSA key, as ReleasePublication writes them): exit 0 genuine, 1 forged or tampered, 2 usage.
/// </summary>
public sealed class ReleaseVerifyCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rgw-cli-tests", Guid.NewGuid().ToString("N"));
    private readonly string _release;
    private readonly string _gatewayKey;

    public ReleaseVerifyCommandTests()
    {
        _release = Path.Combine(_root, "release");
        var keyFile = Path.Combine(_root, "keys", "audit-signing-key.pem");
        using var key = AuditSigningKey.LoadOrCreate(keyFile);
        _gatewayKey = AuditSigningKey.PublicKeyPath(keyFile);
        WriteRelease(_release, key);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static Task<Rgw.Result> Rgw(params string[] args) => Testing.Rgw.RunAsync(new Dictionary<string, string?>(), null, args);

    private string Manifest => Path.Combine(_release, ReleasePublication.ManifestName);

    [Fact]
    public async Task Given_GenuineRelease_When_VerifiedWithTheGatewaysKey_Then_EveryCheckPassesAndExitIsZero()
    {
        var result = await Rgw("release", "verify", Manifest, "--key", _gatewayKey, "--require-all");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches("ok +signature +valid, by the trusted key", result.Stdout);
        foreach (var name in new[] { ReleaseGeneration.SyntheticTableName, ReleaseReport.JsonName, ReleaseReport.HtmlName })
            Assert.Matches($"ok +{name.Replace(".", "\\.")} +sha256 [0-9a-f]{{16}}… matches", result.Stdout);
        Assert.Contains("VERIFIED: release", result.Stdout);
        Assert.Contains("DP per person", result.Stdout);
        Assert.DoesNotContain("format 1", result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task Given_ReleasePublishedBeforeThePrivacyBoundary_When_Verified_Then_FormatOneStillVerifiesAndIsFlagged()
    {
        var old = Path.Combine(_root, "format-1");
        using (var key = AuditSigningKey.LoadOrCreate(Path.Combine(_root, "keys", "audit-signing-key.pem")))
            WriteRelease(old, key, formatOne: true);

        var result = await Rgw("release", "verify", Path.Combine(old, ReleasePublication.ManifestName), "--key", _gatewayKey, "--require-all");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches("ok +format +format 1: published before the privacy boundary", result.Stdout);
        Assert.Matches($"ok +{ReleaseEvaluation.ReportJsonName.Replace(".", "\\.")} +sha256", result.Stdout);
        Assert.Contains("gates passed (format 1: carries real-data statistics)", result.Stdout);
    }

    [Fact]
    public async Task Given_CurrentManifest_When_ReadAsJson_Then_ItHoldsNoGateValuesCountsSeedsOrApprovers()
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Manifest))!.AsObject();

        Assert.Equal(ReleaseManifest.CurrentFormat, (string?)json["format"]);
        foreach (var absent in new[] { "gates", "gatesPassed", "approvers" }) Assert.False(json.ContainsKey(absent), absent);
        var parameters = json["parameters"]!.AsObject();
        foreach (var absent in new[] { "splitSeed", "evaluationSeed", "trainRows", "holdoutRows", "sourceSha256" }) Assert.False(parameters.ContainsKey(absent), absent);
        Assert.Equal("person", (string?)json["privacy"]!["unit"]);
    }

    [Fact]
    public async Task Given_GenuineRelease_When_VerifiedWithoutAKey_Then_ItPassesOnTheEmbeddedKeyAndSaysSo()
    {
        var result = await Rgw("release", "verify", Manifest);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("by the key embedded in the signature file", result.Stdout);
    }

    [Fact]
    public async Task Given_ManifestWithOneByteChanged_When_Verified_Then_SignatureFailsAndExitIsOne()
    {
        var bytes = File.ReadAllBytes(Manifest);
        var at = Encoding.UTF8.GetString(bytes).IndexOf("\"epsilon\": 1", StringComparison.Ordinal) + "\"epsilon\": ".Length;
        bytes[at] = (byte)'9';
        File.WriteAllBytes(Manifest, bytes);

        var result = await Rgw("release", "verify", Manifest, "--key", _gatewayKey);

        Assert.Equal(1, result.ExitCode);
        Assert.Matches("FAIL +signature +INVALID", result.Stderr);
        Assert.Contains("NOT VERIFIED", result.Stderr);
        Assert.DoesNotContain("VERIFIED: release", result.Stdout);
    }

    [Fact]
    public async Task Given_ManifestForgedAndResignedWithAnotherKey_When_VerifiedWithTheGatewaysKey_Then_ExitIsOne()
    {
        // A forger who rewrites the manifest (here: a tampered table's hash) and signs it with a key of their own.
        File.AppendAllText(Path.Combine(_release, ReleaseGeneration.SyntheticTableName), "99,99\n");
        using var forger = AuditSigningKey.LoadOrCreate(Path.Combine(_root, "forger", "key.pem"));
        WriteRelease(_release, forger, keepTable: true);

        var trusted = await Rgw("release", "verify", Manifest, "--key", _gatewayKey);
        var untrusted = await Rgw("release", "verify", Manifest);

        Assert.Equal(1, trusted.ExitCode);
        Assert.Matches("FAIL +signature +INVALID", trusted.Stderr);
        // Without the gateway's key the forgery is self-consistent: that is why the output points at --key.
        Assert.Equal(0, untrusted.ExitCode);
        Assert.Contains("pass --key with the gateway's public key", untrusted.Stdout);
    }

    [Fact]
    public async Task Given_TamperedArtifact_When_Verified_Then_ItsHashFailsAndExitIsOne()
    {
        var table = Path.Combine(_release, ReleaseGeneration.SyntheticTableName);
        var bytes = File.ReadAllBytes(table);
        bytes[^3] ^= 0x01;
        File.WriteAllBytes(table, bytes);

        var result = await Rgw("release", "verify", Manifest, "--key", _gatewayKey);

        Assert.Equal(1, result.ExitCode);
        Assert.Matches("ok +signature", result.Stdout);
        Assert.Matches("FAIL +synthetic\\.csv +sha256 MISMATCH", result.Stderr);
    }

    [Fact]
    public async Task Given_MissingArtifact_When_Verified_Then_ItPassesUnlessEveryArtifactIsRequired()
    {
        File.Delete(Path.Combine(_release, ReleaseReport.HtmlName));

        var lenient = await Rgw("release", "verify", Manifest, "--key", _gatewayKey);
        var strict = await Rgw("release", "verify", Manifest, "--key", _gatewayKey, "--require-all");

        Assert.Equal(0, lenient.ExitCode);
        Assert.Contains("not present (not checked)", lenient.Stdout);
        Assert.Equal(1, strict.ExitCode);
        Assert.Matches("FAIL +release-report\\.html +not present", strict.Stderr);
    }

    [Fact]
    public async Task Given_SignatureFileWithAGarbledKey_When_Verified_Then_ExitIsOne()
    {
        var signature = Path.Combine(_release, ReleasePublication.SignatureName);
        File.WriteAllText(signature, File.ReadAllText(signature).Replace("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAF", StringComparison.Ordinal));

        var result = await Rgw("release", "verify", Manifest);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("FAIL", result.Stderr);
    }

    [Fact]
    public async Task Given_MissingFiles_When_Verified_Then_ExitIsTwo()
    {
        var noManifest = await Rgw("release", "verify", Path.Combine(_root, "nowhere", "manifest.json"));
        var noKey = await Rgw("release", "verify", Manifest, "--key", Path.Combine(_root, "nowhere.pem"));
        var notAKey = await Rgw("release", "verify", Manifest, "--key", Manifest);
        var noSignature = await Rgw("release", "verify", Manifest, "--signature", Path.Combine(_root, "nowhere.sig.json"));

        Assert.All(new[] { noManifest, noKey, notAKey, noSignature }, r => Assert.Equal(2, r.ExitCode));
        Assert.Contains("does not exist", noManifest.Stderr);
        Assert.Contains("does not exist", noKey.Stderr);
        Assert.Contains("ECDSA P-256", notAKey.Stderr);
    }

    /// <summary>
    /// A release folder as <c>rgw release download</c> leaves it: three artifacts, the manifest and its detached signature; in
    /// the current format (release report) or, with <paramref name="formatOne"/>, as releases were published before the privacy
    /// boundary (evaluation report, gate values, seeds and approvers in the manifest).
    /// </summary>
    private static void WriteRelease(string folder, AuditSigningKey key, bool keepTable = false, bool formatOne = false)
    {
        Directory.CreateDirectory(folder);
        var table = Path.Combine(folder, ReleaseGeneration.SyntheticTableName);
        if (!keepTable) File.WriteAllText(table, "age,diabetes\n31,neg\n50,pos\n");
        var (json, html) = formatOne ? (ReleaseEvaluation.ReportJsonName, ReleaseEvaluation.ReportHtmlName) : (ReleaseReport.JsonName, ReleaseReport.HtmlName);
        File.WriteAllText(Path.Combine(folder, json), """{"passed": true}""");
        File.WriteAllText(Path.Combine(folder, html), "<!doctype html><title>report</title>");
        IReadOnlyList<ReleaseArtifact> artifacts =
        [
            Artifact(folder, ReleaseGeneration.SyntheticTableName, "text/csv"),
            Artifact(folder, json, "application/json"),
            Artifact(folder, html, "text/html"),
        ];
        var created = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        var manifest = formatOne
            ? new ReleaseManifest(ReleaseManifest.Format1, Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7(), "demo-pima",
                "researcher-1", 1, "aim", "ReleaseGateway.Synthesis 1.0.0",
                new ManifestParameters(1, 1e-6, 2, ["age", "diabetes"], 0.2, "commitment", SplitSeed: 11, EvaluationSeed: 12),
                new ManifestPrivacy(1, 1e-6, 0.0174, null, 1, 1.2, 1e-6), artifacts, created, created.AddDays(30),
                GatesPassed: true, Gates: [new GateOutcome("maxTvd2", GateStatus.Pass, 0.2, 0.65, "≤", "mean over 1 pair")], Approvers: ["member-1", "member-2"])
            : new ReleaseManifest(ReleaseManifest.CurrentFormat, Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7(), "demo-pbcseq",
                "researcher-1", 1, "aim", "ReleaseGateway.Synthesis 1.0.0",
                new ManifestParameters(1, 1e-6, 2, ["age", "diabetes"], 0.2, "blinded-commitment"),
                new ManifestPrivacy(1, 1e-6, 0.0174, null, 1, 1.2, 1e-6, "person", 4, 0.0161, 0.05, 0.00125), artifacts, created, created.AddDays(30));
        var bytes = manifest.ToBytes();
        File.WriteAllBytes(Path.Combine(folder, ReleasePublication.ManifestName), bytes);
        File.WriteAllBytes(Path.Combine(folder, ReleasePublication.SignatureName), ManifestSignature.Create(bytes, key).ToBytes());
    }

    private static ReleaseArtifact Artifact(string folder, string name, string mediaType)
    {
        var bytes = File.ReadAllBytes(Path.Combine(folder, name));
        return new ReleaseArtifact(name, Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length, mediaType);
    }
}
