using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.IntegrationTests.Requests;
using ReleaseGateway.Testing;

namespace ReleaseGateway.IntegrationTests.Cli;

public sealed class RgwDatasetLifecycleTestsOnSqlite(LifecycleSqliteHost host) : RgwDatasetLifecycleTests<LifecycleSqliteHost>(host);

public sealed class RgwDatasetLifecycleTestsOnPostgres(LifecyclePostgresHost host) : RgwDatasetLifecycleTests<LifecyclePostgresHost>(host);

/// <summary><c>rgw datasets version | set-policy | retire | history</c> and <c>rgw notifications</c> with the real CLI process against the real gateway.</summary>
public abstract class RgwDatasetLifecycleTests<THost>(THost host) : IClassFixture<THost>, IDisposable where THost : GatewayHost
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "rgw-lifecycle-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private Dictionary<string, string?> Environment() => new()
    {
        ["ReleaseGateway__DataDirectory"] = host.DataDirectory,
        ["ConnectionStrings__Postgres"] = host.PostgresConnectionString,
    };

    private async Task<string> SignInAsync(string name, string role)
    {
        Directory.CreateDirectory(_folder);
        var user = await host.CreateUserAsync(role);
        var credentials = Path.Combine(_folder, name + ".json");
        var login = await Rgw.RunAsync(Environment(), user.Password + "\n",
            "login", "--gateway", host.BaseAddress.ToString(), "--user", user.Email, "--password-stdin", "--credentials", credentials);
        Assert.True(login.ExitCode == 0, login.Stderr);
        return credentials;
    }

    private Task<Rgw.Result> As(string credentials, params string[] arguments) => Rgw.RunAsync(Environment(), null, [.. arguments, "--credentials", credentials]);

    private static Rgw.Result Succeeded(Rgw.Result result)
    {
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{result.Stdout}\n{result.Stderr}");
        return result;
    }

    [Fact]
    public async Task Given_AStewardsDataset_When_RgwVersionsItChangesItsPolicyAndRetiresIt_Then_EachIsPrintedAndInTheHistory()
    {
        var steward = await SignInAsync("steward", Roles.DataSteward);
        var schema = Path.Combine(_folder, "schema.json");
        var csv = Path.Combine(_folder, "table.csv");
        await File.WriteAllTextAsync(schema, RequestsApi.Schema);
        await File.WriteAllTextAsync(csv, RequestsApi.GoodCsv);
        var name = "ds-" + Guid.NewGuid().ToString("N")[..10];
        Succeeded(await As(steward, "datasets", "register", "--name", name, "--owner", "Hospital", "--description", "Table", "--schema", schema, "--quiet"));
        Succeeded(await As(steward, "datasets", "upload", name, "--file", csv));

        var version = Succeeded(await As(steward, "datasets", "version", name, "--file", csv, "--reason", "Corrected extract")).Stdout;
        Assert.Contains("as version 2", version);
        Assert.Contains("ledger continues", version);
        Assert.Contains("under policy strict", Succeeded(await As(steward, "datasets", "set-policy", name, "--policy", LifecyclePolicies.Strict,
            "--reason", "Ethics review")).Stdout);
        var unknown = await As(steward, "datasets", "set-policy", name, "--policy", "nope", "--reason", "x");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("RG2331", unknown.Stderr + unknown.Stdout);
        Assert.Contains("Retired", Succeeded(await As(steward, "datasets", "retire", name, "--reason", "Registry closed")).Stdout);
        var history = Succeeded(await As(steward, "datasets", "history", name)).Stdout;
        foreach (var line in new[] { "DatasetVersionUploaded", "DatasetPolicyChanged", "DatasetRetired", "Registry closed" }) Assert.Contains(line, history);

        Assert.Contains("e-mail on, daily, kinds: decision, review", Succeeded(await As(steward, "notifications", "preferences", "--delivery", "daily",
            "--kinds", "review,decision")).Stdout);
        var bad = await As(steward, "notifications", "preferences", "--kinds", "gossip");
        Assert.Equal(2, bad.ExitCode);
        Succeeded(await As(steward, "notifications", "list"));
    }
}
