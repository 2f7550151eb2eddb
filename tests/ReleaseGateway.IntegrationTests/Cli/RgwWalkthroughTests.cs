using System.Text.RegularExpressions;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.Testing;

namespace ReleaseGateway.IntegrationTests.Cli;

/// <summary>The gateway with its job engine running, on the shipped policies (so <c>demo-pima</c> gets policies/demo-pima.yaml).</summary>
public sealed class SqliteDemoHost : SqliteGatewayHost
{
    protected override void Configure(IDictionary<string, string?> settings) => RgwWalkthroughTests<SqliteDemoHost>.RunJobs(settings);
}

public sealed class PostgresDemoHost : PostgresGatewayHost
{
    protected override void Configure(IDictionary<string, string?> settings) => RgwWalkthroughTests<PostgresDemoHost>.RunJobs(settings);
}

public sealed class RgwWalkthroughTestsOnSqlite(SqliteDemoHost host) : RgwWalkthroughTests<SqliteDemoHost>(host);

public sealed class RgwWalkthroughTestsOnPostgres(PostgresDemoHost host) : RgwWalkthroughTests<PostgresDemoHost>(host);

/// <summary>
/// The README's demo (deploy/demo.sh) with the real <c>rgw</c> processes against the real gateway: the demo table
/// registered and uploaded, one request from submission through two votes, generation and evaluation to a download
/// that verifies offline, the ledger read, a second approval refused for lack of budget, the audit chain intact.
/// </summary>
public abstract class RgwWalkthroughTests<THost>(THost host) : IClassFixture<THost>, IDisposable where THost : GatewayHost
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(6);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "rgw-walkthrough-" + Guid.NewGuid().ToString("N"));

    public static void RunJobs(IDictionary<string, string?> settings)
    {
        settings["ReleaseGateway:Jobs:Enabled"] = "true";
        settings["ReleaseGateway:Jobs:ClusterCheckinIntervalSeconds"] = "2";
    }

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
        var user = await host.CreateUserAsync(role);
        var credentials = Path.Combine(_folder, name + ".json");
        var login = await Rgw.RunAsync(Environment(), user.Password + "\n",
            "login", "--gateway", host.BaseAddress.ToString(), "--user", user.Email, "--password-stdin", "--credentials", credentials);
        Assert.True(login.ExitCode == 0, login.Stderr);
        return credentials;
    }

    private async Task<Rgw.Result> As(string credentials, params string[] arguments) =>
        await Rgw.RunAsync(Environment(), null, [.. arguments, "--credentials", credentials]).WaitAsync(Patience);

    private static Rgw.Result Succeeded(Rgw.Result result)
    {
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{result.Stdout}\n{result.Stderr}");
        return result;
    }

    [Fact]
    public async Task Given_DemoWalkthrough_When_RunFromSubmissionToAVerifiedDownload_Then_ASecondApprovalIsRefusedForBudgetAndTheAuditChainVerifies()
    {
        var steward = await SignInAsync("steward", Roles.DataSteward);
        var researcher = await SignInAsync("researcher", Roles.Researcher);
        var member1 = await SignInAsync("member1", Roles.CommitteeMember);
        var member2 = await SignInAsync("member2", Roles.CommitteeMember);
        var compliance = await SignInAsync("compliance", Roles.ComplianceOfficer);
        var demoData = Path.Combine(RepositoryPaths.Root, "deploy", "demo-data");

        var dataset = Succeeded(await As(steward, "datasets", "register", "--name", "demo-pima", "--owner", "Demo hospital", "--description", "Pima",
            "--schema", Path.Combine(demoData, "pima-schema.json"), "--quiet")).Stdout.Trim();
        Assert.Contains("768 rows", Succeeded(await As(steward, "datasets", "upload", dataset, "--file", Path.Combine(demoData, "pima.csv"))).Stdout);

        var request = await SubmitAsync(researcher, "walkthrough-1");
        Succeeded(await As(steward, "requests", "accept", request));
        Assert.Contains("is CommitteeReview", Succeeded(await As(member1, "requests", "vote", request, "approve", "--reason", "Proportionate")).Stdout);
        Assert.Contains("is Approved", Succeeded(await As(member2, "requests", "vote", request, "approve", "--reason", "Agree")).Stdout);

        var wait = Succeeded(await As(researcher, "requests", "wait", request, "--timeout", "300"));
        Assert.Matches("Published +publish +100%", wait.Stdout);
        var release = Succeeded(await As(researcher, "requests", "releases", request, "--quiet")).Stdout.Trim();
        Assert.Matches("^[0-9a-f-]{36}$", release);

        var folder = Path.Combine(_folder, "release");
        var download = Succeeded(await As(researcher, "release", "download", release, "--out", folder));
        // synthetic.csv and .parquet, the report as JSON and HTML, the manifest and its signature.
        Assert.Equal(6, Regex.Matches(download.Stdout, "as listed").Count);
        Assert.Matches("synthetic.parquet +[0-9]+ bytes +sha256 [0-9a-f]+… as listed", download.Stdout);
        var verify = Succeeded(await Rgw.RunAsync(Environment(), null, "release", "verify", Path.Combine(folder, "manifest.json"),
            "--key", Path.Combine(host.DataDirectory, "keys", "audit-signing-key.pub.pem"), "--require-all"));
        Assert.Contains("valid, by the trusted key", verify.Stdout);
        Assert.Contains("VERIFIED: release " + release, verify.Stdout);

        var shown = Succeeded(await As(compliance, "release", "show", release)).Stdout;
        Assert.Contains("checks:     PASSED", shown);
        Assert.Contains("downloads:  6", shown);
        var ledger = Succeeded(await As(compliance, "budget", "show", "demo-pima")).Stdout;
        Assert.Matches("cap +ε +1\\.2 ", ledger);
        Assert.Matches("spent +ε +1 ", ledger);
        Assert.Matches($"{release} +{request} +1 +1 +charged", ledger);

        var second = await SubmitAsync(researcher, "walkthrough-2");
        Succeeded(await As(steward, "requests", "accept", second));
        Succeeded(await As(member1, "requests", "vote", second, "approve", "--reason", "Fine"));
        var refused = await As(member2, "requests", "vote", second, "approve", "--reason", "Agree");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("RG3001", refused.Stderr);
        Assert.Contains("the largest epsilon still available for a release is 0.6", refused.Stderr);
        Assert.Matches("state: +CommitteeReview", Succeeded(await As(researcher, "requests", "show", second)).Stdout);

        var audit = Succeeded(await Rgw.RunAsync(Environment(), null, "audit", "verify"));
        Assert.StartsWith("OK: ", audit.Stdout);
    }

    private async Task<string> SubmitAsync(string researcher, string key) =>
        Succeeded(await As(researcher, "requests", "submit", "--dataset", "demo-pima", "--epsilon", "1", "--rows", "768", "--title", "Diabetes",
            "--purpose", "Teaching", "--justification", "Every column", "--intended-use", "Course material", "--idempotency-key", key, "--quiet"))
            .Stdout.Trim();
}
