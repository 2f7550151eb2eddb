using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.IntegrationTests.Requests;
using ReleaseGateway.Testing;

namespace ReleaseGateway.IntegrationTests.Cli;

public sealed class RgwRequestCommandsTestsOnSqlite(SqliteGatewayHost host) : RgwRequestCommandsTests<SqliteGatewayHost>(host);

public sealed class RgwRequestCommandsTestsOnPostgres(PostgresGatewayHost host) : RgwRequestCommandsTests<PostgresGatewayHost>(host);

/// <summary>
/// The web's request actions from the command line (<c>rgw requests list, request-changes, resubmit, withdraw</c>,
/// <c>rgw release revoke</c>) with the real CLI process against the real gateway: datasets named rather than numbered,
/// people shown by name, and the README's exit codes (0 ok, 2 usage or a refusal with its RG code).
/// </summary>
public abstract class RgwRequestCommandsTests<THost>(THost host) : IClassFixture<THost>, IDisposable where THost : GatewayHost
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "rgw-requests-" + Guid.NewGuid().ToString("N"));

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

    private static Rgw.Result Refused(Rgw.Result result, string code)
    {
        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}\n{result.Stdout}\n{result.Stderr}");
        Assert.Contains(code, result.Stderr);
        return result;
    }

    [Fact]
    public async Task Given_ARequestSentBack_When_TheResearcherResubmitsAndLaterWithdrawsWithRgw_Then_EachStepShowsInTheListAndRefusalsExitWith2()
    {
        var (steward, _) = await SignInAsync("steward", Roles.DataSteward);
        var (researcher, researcherUser) = await SignInAsync("researcher", Roles.Researcher);
        var (member, memberUser) = await SignInAsync("member", Roles.CommitteeMember);
        var dataset = "cli-req-" + Guid.NewGuid().ToString("N")[..8];
        var schema = Path.Combine(_folder, "schema.json");
        var table = Path.Combine(_folder, "table.csv");
        await File.WriteAllTextAsync(schema, RequestsApi.Schema);
        await File.WriteAllTextAsync(table, RequestsApi.GoodCsv);
        Succeeded(await As(steward, "datasets", "register", "--name", dataset, "--owner", "Hospital", "--description", "Table", "--schema", schema));
        Succeeded(await As(steward, "datasets", "upload", dataset, "--file", table));

        // Submitted by the dataset's name; the researcher's list shows it.
        Assert.Equal("You have no requests.", Succeeded(await As(researcher, "requests", "list")).Stdout.Trim());
        var request = Succeeded(await As(researcher, "requests", "submit", "--dataset", dataset, "--epsilon", "1", "--rows", "100",
            "--title", "Outcome model", "--purpose", "Teaching", "--justification", "Every column", "--intended-use", "Course material", "--quiet")).Stdout.Trim();
        Assert.Matches($"^{request}  Screening +[0-9-]+ [0-9:]+  Outcome model$", Succeeded(await As(researcher, "requests", "list")).Stdout.Trim());

        // The steward sends it back; the researcher lowers ε and resubmits, the other terms unchanged.
        Assert.Contains("sent back to its researcher; state ChangesRequested",
            Succeeded(await As(steward, "requests", "request-changes", request, "--reason", "Ask for less: ε = 0.5 will do")).Stdout);
        Assert.Contains("ChangesRequested", Succeeded(await As(researcher, "requests", "list")).Stdout);
        Assert.Contains($"Request {request} resubmitted: ε = 0.5, 100 rows; state Screening",
            Succeeded(await As(researcher, "requests", "resubmit", request, "--epsilon", "0.5")).Stdout);

        // In review, the member finds it awaiting their vote and votes; the request names people, not their ids (to the
        // staff: a researcher is shown no one's address).
        Succeeded(await As(steward, "requests", "accept", request));
        Assert.Contains("Outcome model", Succeeded(await As(member, "requests", "list", "--awaiting")).Stdout);
        Succeeded(await As(member, "requests", "vote", request, "approve", "--reason", "Proportionate"));
        var shown = Succeeded(await As(member, "requests", "show", request)).Stdout;
        Assert.Contains($"votes:     {memberUser.Email}: ", shown);
        Assert.Contains($"by {researcherUser.Email}", shown);
        Assert.DoesNotContain(memberUser.Id.ToString(), shown);

        // Only its researcher may withdraw it: the member is refused (2, with the code), the researcher is not, and a
        // second withdrawal is refused as the state no longer allows it.
        var notTheirs = Refused(await As(member, "requests", "withdraw", request), "RG");
        Assert.Matches("RG[0-9]{4}", notTheirs.Stderr);
        Assert.Contains("state Withdrawn", Succeeded(await As(researcher, "requests", "withdraw", request)).Stdout);
        Assert.Matches("RG[0-9]{4}", Refused(await As(researcher, "requests", "withdraw", request), "RG").Stderr);
        Assert.Matches($"^{request}  Withdrawn ", Succeeded(await As(researcher, "requests", "list")).Stdout.Trim());
    }

    [Fact]
    public async Task Given_WrongUsageOrAnUnknownRelease_When_RgwRuns_Then_ItExitsWith2AndSaysWhy()
    {
        var (member, _) = await SignInAsync("usage-member", Roles.CommitteeMember);
        var unknown = Guid.NewGuid().ToString();

        var noReason = await As(member, "requests", "request-changes", unknown);
        var notAnId = await As(member, "requests", "withdraw", "not-a-request-id");
        var revokeNothing = await As(member, "release", "revoke", unknown, "--reason", "Superseded");

        Assert.Equal(2, noReason.ExitCode);
        Assert.Contains("--reason", noReason.Stderr);
        Assert.Equal(2, notAnId.ExitCode);
        Assert.Contains("not-a-request-id", notAnId.Stderr);
        Refused(revokeNothing, "RG");
        Assert.Matches("RG[0-9]{4}", revokeNothing.Stderr);
    }
}
