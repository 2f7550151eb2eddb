using System.Net;
using ReleaseGateway.IntegrationTests.Infrastructure;

namespace ReleaseGateway.IntegrationTests.Requests;

/// <summary>A broken workflow or policy file stops the real host from starting, naming file, line and reason.</summary>
public sealed class StartUpTests
{
    private sealed class HostWith(string setting, string directory) : SqliteGatewayHost
    {
        protected override void Configure(IDictionary<string, string?> settings) => settings[setting] = directory;
    }

    private static async Task<string> StartUpFailureAsync(string setting, string directory)
    {
        var host = new HostWith(setting, directory);
        try
        {
            var e = await Assert.ThrowsAnyAsync<Exception>(host.InitializeAsync);
            return e.ToString();
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Given_BrokenWorkflowDefinition_When_TheHostStarts_Then_StartUpStopsWithFileLineAndReason()
    {
        var dir = Directory.CreateTempSubdirectory("rgw-wf-");
        try
        {
            foreach (var file in Directory.GetFiles(Path.Combine(Testing.RepositoryPaths.Root, "workflows"), "*.yaml"))
                File.Copy(file, Path.Combine(dir.FullName, Path.GetFileName(file)));
            var standard = Path.Combine(dir.FullName, "standard.yaml");
            File.WriteAllText(standard, File.ReadAllText(standard).Replace("      approvals: 2", "      approvals: 5"));

            var failure = await StartUpFailureAsync("ReleaseGateway:WorkflowsDirectory", dir.FullName);

            Assert.Contains($"{standard}:", failure);
            Assert.Contains("quorum of 'CommitteeReview' needs 5 approvals but the committee has 3 seats", failure);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Given_InvalidPolicy_When_TheHostStarts_Then_StartUpStopsWithFileLineAndReason()
    {
        var dir = Directory.CreateTempSubdirectory("rgw-pol-");
        try
        {
            File.Copy(Path.Combine(Testing.RepositoryPaths.Root, "policies", "default.yaml"), Path.Combine(dir.FullName, "default.yaml"));
            File.WriteAllText(Path.Combine(dir.FullName, "demo.yaml"), "maxEpsilonPerRelease: 9\n");

            var failure = await StartUpFailureAsync("ReleaseGateway:PoliciesDirectory", dir.FullName);

            Assert.Contains($"{Path.Combine(dir.FullName, "demo.yaml")}:1:", failure);
            Assert.Contains("maxEpsilonPerRelease (9) must not exceed budget.epsilon (4)", failure);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
