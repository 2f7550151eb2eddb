using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.Testing;

namespace ReleaseGateway.IntegrationTests.Releases;

/// <summary>
/// A gateway that runs its pipeline jobs, with policies of its own (copied default + one file per scenario, since a
/// dataset's policy is chosen by its name): fast evaluation settings, one policy with a gate nothing can pass, one
/// with a budget that fits a single release.
/// </summary>
public static class PipelinePolicies
{
    // Every policy starts from PipelineTestPolicy (gates a correct release passes whatever its noise draws). The web
    // pages' tests (Web/ReleasePagesTests.cs) open the privacy gates entirely: they need a published release every
    // time, at sizes the chance measurements did not cover. Two scenarios are about a gate nothing can pass.
    private static readonly (string, string)[] OpenPrivacyGates =
    [
        ("maxEmpiricalEpsilonRatio", "100"), ("maxAttributeInferenceRisk", "1.0"), ("maxReconstructionRisk", "1.0"), ("maxSinglingOutRisk", "1.0"), ("maxLinkabilityRisk", "1.0"),
    ];

    // The DP release check decides publication (ADR 0026); a threshold far below any statistic makes it block every time.
    private const string NothingPasses = "releaseChecks:\n  epsilon: 0.05\n  copyThreshold: -1000000000\n";

    public static readonly IReadOnlyDictionary<string, string> Files = new Dictionary<string, string>
    {
        ["e2e"] = PipelineTestPolicy.Yaml(),
        ["revoke"] = PipelineTestPolicy.Yaml(),
        ["expire"] = PipelineTestPolicy.Yaml(),
        ["e2e-other"] = PipelineTestPolicy.Yaml(),
        ["withdrawn"] = PipelineTestPolicy.Yaml(),
        ["web-release"] = PipelineTestPolicy.Yaml(gates: OpenPrivacyGates),
        ["web-revoke"] = PipelineTestPolicy.Yaml(gates: OpenPrivacyGates),
        ["web-gated"] = PipelineTestPolicy.Yaml(NothingPasses),
        ["two-key"] = PipelineTestPolicy.Yaml("workflow: two-key\n"),
        ["neural"] = PipelineTestPolicy.Yaml("allowedGenerators: [aim, made]\n"),
        ["gated"] = PipelineTestPolicy.Yaml(NothingPasses),
        ["tight"] = PipelineTestPolicy.Yaml("budget:\n  epsilon: 1.2\n  delta: 1.0e-6\nmaxEpsilonPerRelease: 1.0\n"),
        ["persons"] = PipelineTestPolicy.Yaml("privacyUnit:\n  requirePersonKey: true\n  maxRowsPerPerson: 4\n"),
        ["warehouse"] = PipelineTestPolicy.Yaml("evaluationSampleRows: 400\n"),
        ["bigfile"] = PipelineTestPolicy.Yaml("evaluationSampleRows: 400\n"),
        [DpBinningReleaseTests<SqlitePipelineHost>.Policy] = PipelineTestPolicy.Yaml(),
        ["agreed"] = PipelineTestPolicy.Yaml(),
        ["closeout-required"] = PipelineTestPolicy.Yaml("closeOut: required\n"),
        ["e2e-pima"] = PipelineTestPolicy.Yaml("allowedGenerators: [aim]\n"),
        ["e2e-oncology"] = PipelineTestPolicy.Yaml(),
    };

    public static string CreateDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "rgw-policies-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        File.Copy(Path.Combine(RepositoryPaths.Root, "policies", "default.yaml"), Path.Combine(directory, "default.yaml"));
        foreach (var (name, yaml) in Files) File.WriteAllText(Path.Combine(directory, name + ".yaml"), yaml);
        return directory;
    }

    public static void Apply(IDictionary<string, string?> settings)
    {
        settings["ReleaseGateway:PoliciesDirectory"] = CreateDirectory();
        settings["ReleaseGateway:Jobs:Enabled"] = "true";
        settings["ReleaseGateway:Jobs:ClusterCheckinIntervalSeconds"] = "2";
        // The in-process host runs made too: the neural plug-in (ADR 0043) from the test's folder.
        settings["ReleaseGateway:Generators:Plugins"] = Path.Combine(AppContext.BaseDirectory, "ReleaseGateway.Releases.Neural.dll");
    }
}

public sealed class SqlitePipelineHost : SqliteGatewayHost
{
    protected override void Configure(IDictionary<string, string?> settings) => PipelinePolicies.Apply(settings);
}

public sealed class PostgresPipelineHost : PostgresGatewayHost
{
    protected override void Configure(IDictionary<string, string?> settings) => PipelinePolicies.Apply(settings);
}
