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
    /// <summary>Lenient privacy gates are not the point here (the evaluation tests calibrate them); a cheap shadow attack is.</summary>
    private const string Fast = """
        shadowModel:
          shadowTargets: 1
          shadowRuns: 4
        """;

    public static readonly IReadOnlyDictionary<string, string> Files = new Dictionary<string, string>
    {
        ["e2e"] = Fast,
        ["revoke"] = Fast,
        ["expire"] = Fast,
        ["e2e-other"] = Fast,
        ["withdrawn"] = Fast,
        ["two-key"] = Fast + "\nworkflow: two-key\n",
        ["neural"] = Fast + "\nallowedGenerators: [aim, made]\n",
        ["gated"] = Fast + "\ngates:\n  maxTvd2: 0.0\n",
        ["tight"] = Fast + "\nbudget:\n  epsilon: 1.2\n  delta: 1.0e-6\nmaxEpsilonPerRelease: 1.0\n",
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
