using System.Text.RegularExpressions;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.IntegrationTests.Infrastructure;

namespace ReleaseGateway.IntegrationTests.Identity;

public sealed class CliSignInTestsOnSqlite(SqliteGatewayHost host) : CliSignInTests<SqliteGatewayHost>(host);

public sealed class CliSignInTestsOnPostgres(PostgresGatewayHost host) : CliSignInTests<PostgresGatewayHost>(host);

/// <summary>
/// The newcomer's path from docs/identity.md, with the real <c>rgw</c>: create a user on the gateway's machine,
/// sign in with <c>rgw login</c> (browser simulated over HTTP) or <c>rgw login --device</c>, check with <c>rgw whoami</c>.
/// </summary>
public abstract class CliSignInTests<THost>(THost host) : IClassFixture<THost>, IDisposable where THost : GatewayHost
{
    private readonly string _credentials = Path.Combine(Path.GetTempPath(), "rgw-cred-" + Guid.NewGuid().ToString("N"), "credentials.json");

    private Dictionary<string, string> Environment()
    {
        var environment = new Dictionary<string, string>
        {
            ["ReleaseGateway__DataDirectory"] = host.DataDirectory,
            ["ReleaseGateway__CredentialsFile"] = _credentials,
            ["ReleaseGateway__GatewayUrl"] = host.BaseAddress.ToString(),
        };
        if (host.PostgresConnectionString is { } postgres) environment["ConnectionStrings__Postgres"] = postgres;
        return environment;
    }

    [Fact]
    public async Task Given_NewUser_When_UsersAddRuns_Then_ItPrintsAOneTimePasswordThatSignsInOnlyAfterItIsChanged()
    {
        var email = $"admin-{Guid.NewGuid():N}@example.test";
        var (exit, output) = await RgwProcess.RunAsync(Environment(), "users", "add", "--email", email, "--role", Roles.Administrator);
        Assert.Equal(0, exit);
        var oneTimePassword = Regex.Match(output, "One-time password: (\\S+)").Groups[1].Value;
        Assert.Equal(20, oneTimePassword.Length);

        using var browser = host.CreateBrowser();
        var loginPage = await browser.FollowAsync(await browser.GetAsync("/account/login"));
        var toChange = await OAuth.SubmitLoginAsync(browser, loginPage, new TestUser(Guid.Empty, email, oneTimePassword, []));

        Assert.StartsWith("/account/password", browser.Location(toChange).ToString());
        var (_, list) = await RgwProcess.RunAsync(Environment(), "users", "list");
        Assert.Matches($"{Regex.Escape(email)}\\s+Administrator\\s+no\\s+one-time password", list);
    }

    [Fact]
    public async Task Given_PasswordOnStdin_When_UsersAddRuns_Then_TheUserSignsInDirectly()
    {
        var user = new TestUser(Guid.Empty, $"steward-{Guid.NewGuid():N}@example.test", "a passphrase from stdin", [Roles.DataSteward]);
        var (exit, output) = await RgwProcess.RunWithInputAsync(Environment(), user.Password + "\n",
            "users", "add", "--email", user.Email, "--role", Roles.DataSteward, "--password-stdin");

        Assert.Equal(0, exit);
        Assert.DoesNotContain("One-time password", output);
        var tokens = await host.SignInAsync(user);
        Assert.NotEmpty(tokens.AccessToken);
    }

    [Fact]
    public async Task Given_NewClient_When_ClientsAddRuns_Then_ItsPrintedCredentialsGetAClientCredentialsToken()
    {
        var (exit, output) = await RgwProcess.RunAsync(Environment(), "clients", "add", "--name", "Ward 7 export", "--role", Roles.DataSteward);
        Assert.Equal(0, exit);
        var clientId = Regex.Match(output, "client_id:\\s+(\\S+)").Groups[1].Value;
        var secret = Regex.Match(output, "client_secret:\\s+(\\S+)").Groups[1].Value;

        using var http = host.CreateClient();
        var tokens = await OAuth.ReadTokensAsync(await http.PostAsync("/connect/token", new FormUrlEncodedContent(
            [new("grant_type", "client_credentials"), new("client_id", clientId), new("client_secret", secret), new("scope", GatewayScopes.Api)])));

        using var api = host.CreateClient(tokens.AccessToken);
        Assert.Contains(clientId, await api.GetStringAsync("/api/me"));
    }

    [Fact]
    public async Task Given_AForgottenPassword_When_UsersResetLinkRuns_Then_ThePrintedLinkSetsANewPasswordOnce()
    {
        var user = await host.CreateUserAsync(Roles.Researcher);
        var (exit, output) = await RgwProcess.RunAsync(Environment(), "users", "reset-link", "--email", user.Email, "--url", host.BaseAddress.ToString());
        Assert.True(exit == 0, output);
        Assert.Contains("Hand this link", output);
        var link = new Uri(Regex.Match(output, "^(http\\S+/account/reset\\S+)$", RegexOptions.Multiline).Groups[1].Value);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(link.Query);

        using var browser = host.CreateBrowser();
        var form = await (await browser.GetAsync(link.PathAndQuery)).Content.ReadAsStringAsync();
        var newPassword = "set from the command line's link";
        var done = await browser.SubmitAsync(form, "/account/reset", [new("user", query["user"]!), new("code", query["code"]!), new("new", newPassword)]);

        Assert.Equal(System.Net.HttpStatusCode.OK, done.StatusCode);
        Assert.NotEmpty((await host.SignInAsync(user with { Password = newPassword })).AccessToken);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, (await browser.GetAsync(link.PathAndQuery)).StatusCode);
        var (listed, clients) = await RgwProcess.RunAsync(Environment(), "clients", "list");
        Assert.Equal(0, listed);
        Assert.Matches($"{Regex.Escape(GatewayScopes.CliClientId)}\\s+public", clients);
    }

    [Fact]
    public async Task Given_NoAddress_When_UsersResetLinkRuns_Then_ItExitsWithUsageError_AndIssuesNothing()
    {
        var user = await host.CreateUserAsync(Roles.Researcher);

        var (exit, output) = await RgwProcess.RunAsync(Environment(), "users", "reset-link", "--email", user.Email);

        Assert.Equal(2, exit);
        Assert.Contains("--url", output);
        Assert.DoesNotContain("UserPasswordResetLinkIssued", (await host.EventStore.FetchStreamAsync(user.Id)).Select(e => e.EventType));
    }

    [Fact]
    public async Task Given_UnknownRole_When_UsersAddRuns_Then_ItExitsWithUsageError()
    {
        var (exit, output) = await RgwProcess.RunAsync(Environment(), "users", "add", "--email", "x@example.test", "--role", "Superuser");
        Assert.Equal(2, exit);
        Assert.Contains("RG1009", output);
    }

    [Fact]
    public async Task Given_LoopbackRedirect_When_LoginRuns_Then_ItSavesCredentialsThatWhoAmIUses()
    {
        var user = await host.CreateUserAsync(Roles.ComplianceOfficer);
        await using var login = RgwProcess.Start(Environment(), "login", "--no-browser");
        var authorizeUrl = new Uri(await login.WaitForLineAsync("^(http\\S+/connect/authorize\\S+)$"));

        using var browser = host.CreateBrowser();
        var loginPage = await browser.FollowAsync(await browser.GetAsync(authorizeUrl.PathAndQuery));
        var toCli = await browser.FollowAsync(await OAuth.SubmitLoginAsync(browser, loginPage, user));
        using var toLoopback = new HttpClient();
        var landing = await toLoopback.GetStringAsync(toCli.Headers.Location);

        Assert.Contains("Signed in", landing);
        Assert.Equal(0, await login.WaitForExitAsync());
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_credentials));
        var (exit, whoami) = await RgwProcess.RunAsync(Environment(), "whoami");
        Assert.Equal(0, exit);
        Assert.Contains(user.Id.ToString(), whoami);
        Assert.Contains($"policies: {Policies.Compliance}, {Policies.ReadAudit}", whoami);
    }

    [Fact]
    public async Task Given_DeviceLogin_When_TheUserApprovesTheCodeElsewhere_Then_ItCompletes()
    {
        var user = await host.CreateUserAsync(Roles.Researcher);
        await using var login = RgwProcess.Start(Environment(), "login", "--device");
        var userCode = await login.WaitForLineAsync("enter the code: (\\S+)");

        using var browser = host.CreateBrowser();
        var loginPage = await browser.FollowAsync(await browser.GetAsync($"/connect/verify?user_code={Uri.EscapeDataString(userCode)}"));
        var verifyPage = await browser.FollowAsync(await OAuth.SubmitLoginAsync(browser, loginPage, user));
        await browser.SubmitAsync(await verifyPage.Content.ReadAsStringAsync(), "/connect/verify", [new("user_code", userCode), new("decision", "approve")]);

        Assert.Equal(0, await login.WaitForExitAsync());
        var (_, whoami) = await RgwProcess.RunAsync(Environment(), "whoami");
        Assert.Contains(user.Id.ToString(), whoami);
        var (logoutExit, _) = await RgwProcess.RunAsync(Environment(), "logout");
        Assert.Equal(0, logoutExit);
        Assert.False(File.Exists(_credentials));
    }

    public void Dispose()
    {
        var directory = Path.GetDirectoryName(_credentials)!;
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }
}
