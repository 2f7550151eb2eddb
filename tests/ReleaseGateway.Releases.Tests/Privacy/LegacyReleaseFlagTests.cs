using System.Text.Json;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Releases.Tests.Privacy;

/// <summary>
/// Releases published before the privacy boundary carry the evaluation report (real-data statistics) among their files:
/// the release read model flags them, and the flag reaches the requester's and the staff's API answers (which the web
/// page and <c>rgw release show</c> read), so a steward or committee member can find and revoke them (ADR 0027).
/// </summary>
public sealed class LegacyReleaseFlagTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private static readonly IReadOnlySet<string> Researcher = new HashSet<string> { WorkflowRoles.Researcher };
    private static readonly IReadOnlySet<string> Committee = new HashSet<string> { WorkflowRoles.CommitteeMember };

    private static ReleaseDetails Published(params string[] files)
    {
        var id = Guid.CreateVersion7();
        var started = new ReleaseGenerationStarted(id, Guid.CreateVersion7(), Guid.CreateVersion7(), "pima", "researcher-1", 1, "aim", "v", 1, 1e-6, 100,
            ["age"], 0.2, 11, 12, "commitment", ["member-1"], 30, ReleaseFixture.Now);
        var artifacts = files.Select(f => new ReleaseArtifact(f, new string('a', 64), 10, "application/octet-stream")).ToList();
        var manifest = new ReleaseArtifact(ReleasePublication.ManifestName, new string('b', 64), 10, "application/json");
        var signature = new ReleaseArtifact(ReleasePublication.SignatureName, new string('c', 64), 10, "application/json");
        var stream = ReleaseFixture.Stream(id, started,
            new ReleasePublished(id, manifest, signature, artifacts, "key-1", ReleaseFixture.Now.AddDays(30), ReleaseFixture.Now));
        var projection = new ReleaseDetailsProjection();
        ReleaseDetails? details = null;
        foreach (var e in stream) details = projection.Apply(details, e);
        return details!;
    }

    private static bool FlagInApiAnswer(ReleaseDetails release, IReadOnlySet<string> roles) =>
        JsonSerializer.SerializeToNode(new ReleaseView(ReleaseBoundary.View(release, roles), null), Web)!["release"]!["carriesRealDataStatistics"]!
            .GetValue<bool>();

    [Fact]
    public void Given_AReleasePublishedWithTheEvaluationReport_When_AnyoneReadsIt_Then_ItIsFlaggedAsCarryingRealDataStatistics()
    {
        var legacy = Published(ReleaseGeneration.SyntheticTableName, ReleaseEvaluation.ReportJsonName, ReleaseEvaluation.ReportHtmlName);

        Assert.True(FlagInApiAnswer(legacy, Researcher));
        Assert.True(FlagInApiAnswer(legacy, Committee));
    }

    [Fact]
    public void Given_AReleaseOfTheSyntheticTableAndItsReleaseReport_When_AnyoneReadsIt_Then_ItIsNotFlagged()
    {
        var current = Published(ReleaseGeneration.SyntheticTableName, ReleaseGeneration.SyntheticParquetName, Reports.ReleaseReport.JsonName,
            Reports.ReleaseReport.HtmlName);

        Assert.False(FlagInApiAnswer(current, Researcher));
        Assert.False(FlagInApiAnswer(current, Committee));
    }
}
