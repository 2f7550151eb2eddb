using ReleaseGateway.Evaluation.Gates;
using System.Text.Json;
using ReleaseGateway.EventStore;
using ReleaseGateway.EventStore.Verification;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Releases.Checks;
using ReleaseGateway.Releases.Manifests;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Releases.Reports;
using ReleaseGateway.Requests.Workflows;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Synthesis.Data;

namespace ReleaseGateway.Releases.Tests.Privacy;

/// <summary>
/// No requester-visible byte depends on the real table except through the DP bit: hold the synthetic table and the DP
/// measurements fixed, swap the real table for another of the same schema (so the split, the exact counts, the source
/// hash, the release check's statistic and every gate value differ), and require byte-identical output for the requester.
/// </summary>
public sealed class RequesterVisibleOutputTests : IDisposable
{
    private static readonly IReadOnlySet<string> Researcher = new HashSet<string> { WorkflowRoles.Researcher };
    private static readonly IReadOnlySet<string> Committee = new HashSet<string> { WorkflowRoles.CommitteeMember };
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private readonly ReleaseFixture _fixture = new();
    private readonly AuditSigningKey _key;

    public RequesterVisibleOutputTests() => _key = AuditSigningKey.LoadOrCreate(Path.Combine(_fixture.Folder, "keys", "signing.pem"));

    public void Dispose()
    {
        _key.Dispose();
        _fixture.Dispose();
    }

    /// <summary>The release stream a real table leads to, with the synthetic table and its measurements given.</summary>
    private List<StoredEvent> StreamFor(EncodedTable real, string sourceHash, ReleaseGenerationStarted started, SyntheticTableGenerated generated,
        EncodedTable synthetic, int copyThreshold)
    {
        var policy = ReleaseFixture.Policy(copyThreshold);
        var check = ReleaseFixture.Check(real, synthetic, policy, new SecretStreams(SecretStreams.NewKey()));
        var gates = new List<GateOutcome>
        {
            new(ReleaseEvaluation.DpCheckName, check.Passed ? GateStatus.Pass : GateStatus.Fail, check.Statistic, check.Threshold, "noisy <",
                $"exact training copies {check.TrainCopies}, holdout copies {check.HoldoutCopies}"),
            new("maxTvd2", GateStatus.Fail, real.Column(0).ToArray().Average(), 0.1, "≤", $"real mean {real.Column(1).ToArray().Average()}"),
        };
        var report = new ReleaseArtifact(ReleaseEvaluation.ReportJsonName, new string(sourceHash[0], 64), real.RowCount, "application/json");
        var events = new List<object>
        {
            started,
            new ReleaseSplitRecorded(started.ReleaseId, real.RowCount * 4 / 5, real.RowCount / 5, sourceHash, ReleaseFixture.Now),
            generated,
            new ReleaseEvaluated(started.ReleaseId, check.Passed, gates, [$"attribute inference: {real.RowCount} rows too few"], report, report,
                real.RowCount / 100.0, ReleaseFixture.Now),
        };
        if (!check.Passed) events.Add(new ReleaseBlocked(started.ReleaseId, "evaluate", $"gates failed: maxTvd2 at {gates[1].Value}", ReleaseFixture.Now));
        return ReleaseFixture.Stream(started.ReleaseId, [.. events]).ToList();
    }

    private async Task<(string Json, byte[] Manifest, byte[] Report, byte[] ReportHtml, byte[] Signature)> RequesterViewAsync(List<StoredEvent> stream)
    {
        byte[] manifest = [], report = [], html = [], signature = [];
        if (stream.Any(e => e.Data is ReleaseEvaluated { Passed: true }))
        {
            var started = stream.Select(e => e.Data).OfType<ReleaseGenerationStarted>().Single();
            var policy = ReleaseFixture.Policy();
            var cap = BudgetCap.Of(policy);
            var published = await new ReleasePublication(_fixture.Artifacts, () => _key)
                .PrepareAsync(stream, ReleaseFixture.Ledger(started, cap), cap, _fixture.Schema, ReleaseFixture.Now, CancellationToken.None);
            stream = [.. stream, .. ReleaseFixture.Stream(started.ReleaseId, published).Select(e => e with { StreamVersion = stream.Count + 1 })];
            manifest = File.ReadAllBytes(_fixture.Artifacts.PathOf(published.Manifest.Sha256));
            signature = File.ReadAllBytes(_fixture.Artifacts.PathOf(published.Signature.Sha256));
            report = File.ReadAllBytes(_fixture.Artifacts.PathOf(published.Artifacts.Single(a => a.Name == ReleaseReport.JsonName).Sha256));
            html = File.ReadAllBytes(_fixture.Artifacts.PathOf(published.Artifacts.Single(a => a.Name == ReleaseReport.HtmlName).Sha256));
            Assert.DoesNotContain(published.Artifacts, a => a.Name.StartsWith("evaluation-report", StringComparison.Ordinal));
        }
        var projection = new ReleaseDetailsProjection();
        ReleaseDetails? details = null;
        foreach (var e in stream) details = projection.Apply(details, e);
        var view = new ReleaseView(ReleaseBoundary.View(details!, Researcher),
            ReleaseBoundary.View(new LiveProgress("evaluate", 40, $"membership attack on {stream.Count} rows", ReleaseFixture.Now), Researcher));
        // The signature file's ECDSA signature is randomized (fresh nonce per signature), not data: its hash is masked here and
        // the signature is checked to be over the same manifest bytes instead.
        var node = JsonSerializer.SerializeToNode(view, Web)!;
        foreach (var artifact in node["release"]!["artifacts"]!.AsArray())
            if ((string?)artifact!["name"] == ReleasePublication.SignatureName)
            {
                artifact["sha256"] = "<signature>";
                artifact["bytes"] = 0;
            }
        return (node.ToJsonString(), manifest, report, html, signature);
    }

    [Theory]
    [InlineData(int.MaxValue / 2)] // the DP bit says "publish" for both tables
    [InlineData(int.MinValue / 2)] // the DP bit says "block" for both tables
    public async Task Given_a_fixed_synthetic_table_and_measurements_When_the_real_table_is_swapped_Then_every_requester_visible_byte_is_identical(
        int copyThreshold)
    {
        var releaseId = Guid.Parse("0193a6f0-0000-7000-8000-00000000000a");
        var started = _fixture.Started(releaseId);
        var firstHalf = ReleaseFixture.Rows(_fixture.Pima, Enumerable.Range(0, 384).ToArray());
        var otherRows = ReleaseFixture.Rows(_fixture.Pima, Enumerable.Range(300, 468).ToArray());
        var (generated, synthetic) = await _fixture.GenerateAsync(releaseId, firstHalf, 1, seed: 7);

        var one = await RequesterViewAsync(StreamFor(firstHalf, new string('a', 64), started, generated, synthetic, copyThreshold));
        var two = await RequesterViewAsync(StreamFor(otherRows, new string('b', 64), started, generated, synthetic, copyThreshold));

        Assert.Equal(one.Json, two.Json);
        Assert.Equal(one.Manifest, two.Manifest);
        Assert.Equal(one.Report, two.Report);
        Assert.Equal(one.ReportHtml, two.ReportHtml);
        if (one.Manifest.Length > 0)
            foreach (var signature in new[] { one.Signature, two.Signature })
                Assert.True(_key.Verify(one.Manifest, Convert.FromBase64String(ManifestSignature.Parse(signature).Signature)));
        // The test has teeth: staff see the two tables' different evidence, and the requester's view holds none of it.
        Assert.DoesNotContain("training on", one.Json);
        Assert.DoesNotContain("membership attack", one.Json);
        Assert.DoesNotContain("maxTvd2", one.Json);
        Assert.DoesNotContain("384", one.Json);
        var staff = StreamFor(firstHalf, new string('a', 64), started, generated, synthetic, copyThreshold);
        ReleaseDetails? inside = null;
        foreach (var e in staff) inside = new ReleaseDetailsProjection().Apply(inside, e);
        Assert.Contains(ReleaseBoundary.View(inside!, Committee).Gates, g => g.Name == "maxTvd2");
    }

    [Fact]
    public async Task Given_a_published_release_When_its_report_is_read_Then_it_compares_the_synthetic_table_with_the_paid_measurements_and_states_the_unit()
    {
        var releaseId = Guid.Parse("0193a6f0-0000-7000-8000-00000000000b");
        var started = _fixture.Started(releaseId);
        var (generated, synthetic) = await _fixture.GenerateAsync(releaseId, _fixture.Pima, 1, seed: 11);
        var stream = StreamFor(_fixture.Pima, new string('c', 64), started, generated, synthetic, int.MaxValue / 2);
        var view = await RequesterViewAsync(stream);

        var report = ReleaseReport.Parse(view.Report);
        Assert.Equal(ReleaseFacts.PerRow, report.Facts.Unit);
        Assert.Equal(0.05, report.Facts.GateEpsilon);
        Assert.Equal(report.Facts.TotalRho, report.Facts.SynthesisRho + report.Facts.GateRho, 12);
        Assert.Contains("per row", report.PrivacyStatement);
        Assert.Equal(_fixture.Schema.SynthesisColumns.Count, report.Codebook.Count);
        Assert.NotEmpty(report.Fidelity);
        // Every fidelity figure is a distance in [0, 1] with its noise-only error bar; 1-way marginals show cells ± σ.
        Assert.All(report.Fidelity, f => Assert.InRange(f.Tvd, 0, 1));
        Assert.Contains(report.Fidelity, f => f.CellShares is { Count: > 0 });
        var manifest = ReleaseManifest.Parse(view.Manifest);
        Assert.Equal(ReleaseManifest.CurrentFormat, manifest.Format);
        Assert.Null(manifest.Gates);
        Assert.Null(manifest.Approvers);
        Assert.Null(manifest.Parameters.SplitSeed);
        Assert.Equal("row", manifest.Privacy.Unit);
        Assert.Contains(manifest.Artifacts, a => a.Name == ReleaseReport.HtmlName);
    }
}
