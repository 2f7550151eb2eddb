using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.IntegrationTests.Requests;
using ReleaseGateway.Testing;

namespace ReleaseGateway.IntegrationTests.Cli;

public sealed class RgwCommitteesTestsOnSqlite(SqliteGatewayHost host) : RgwCommitteesTests<SqliteGatewayHost>(host);

public sealed class RgwCommitteesTestsOnPostgres(PostgresGatewayHost host) : RgwCommitteesTests<PostgresGatewayHost>(host);

/// <summary><c>rgw committees</c> with the real CLI process against the real gateway (docs/committees.md, "CLI").</summary>
public abstract class RgwCommitteesTests<THost>(THost host) : IClassFixture<THost>, IDisposable where THost : GatewayHost
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "rgw-committees-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private Dictionary<string, string?> Environment() => new()
    {
        ["ReleaseGateway__DataDirectory"] = host.DataDirectory,
        ["ConnectionStrings__Postgres"] = host.PostgresConnectionString,
    };

    private async Task<(string Credentials, TestUser User)> SignInAsync(string name, string role)
    {
        Directory.CreateDirectory(_folder);
        var user = await host.CreateUserAsync(role);
        var credentials = Path.Combine(_folder, name + ".json");
        var login = await Rgw.RunAsync(Environment(), user.Password + "\n",
            "login", "--gateway", host.BaseAddress.ToString(), "--user", user.Email, "--password-stdin", "--credentials", credentials);
        Assert.True(login.ExitCode == 0, login.Stderr);
        return (credentials, user);
    }

    private Task<Rgw.Result> As(string credentials, params string[] arguments) => Rgw.RunAsync(Environment(), null, [.. arguments, "--credentials", credentials]);

    private static Rgw.Result Succeeded(Rgw.Result result)
    {
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{result.Stdout}\n{result.Stderr}");
        return result;
    }

    [Fact]
    public async Task Given_AnAdministratorAndAChair_When_TheyRunRgwCommittees_Then_TheCommitteeFormsGrowsAndDecidesTheStewardsDataset()
    {
        var (admin, _) = await SignInAsync("admin", Roles.Administrator);
        var (chair, chairUser) = await SignInAsync("chair", Roles.CommitteeMember);
        var (steward, _) = await SignInAsync("steward", Roles.DataSteward);
        var member = await host.CreateUserAsync(Roles.CommitteeMember);
        var name = "cli-" + Guid.NewGuid().ToString("N")[..8];

        Assert.Contains("quorum: majority", Succeeded(await As(admin, "committees", "form", "--name", name, "--description", "CLI committee",
            "--majority", "--recusal", "keeps-seats")).Stdout);
        Succeeded(await As(admin, "committees", "add-member", name, chairUser.Id.ToString(), "--chair"));
        Assert.Contains("2 member(s)", Succeeded(await As(chair, "committees", "add-member", name, member.Id.ToString())).Stdout);
        var refused = await As(chair, "committees", "remove-member", name, chairUser.Id.ToString());
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("RG2203", refused.Stderr + refused.Stdout);
        var list = Succeeded(await As(chair, "committees", "list")).Stdout;
        Assert.Contains(name, list);
        Assert.Contains($"{chairUser.Id}  (chair)", list);

        var schema = Path.Combine(_folder, "schema.json");
        await File.WriteAllTextAsync(schema, RequestsApi.Schema);
        var dataset = Succeeded(await As(steward, "datasets", "register", "--name", "ds-" + Guid.NewGuid().ToString("N")[..10], "--owner", "Hospital",
            "--description", "Table", "--schema", schema, "--quiet")).Stdout.Trim();
        Assert.Contains($"go to committee {name}", Succeeded(await As(steward, "committees", "assign", dataset, name)).Stdout);
    }
}
