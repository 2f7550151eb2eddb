using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Identity.Users;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.Testing;

namespace ReleaseGateway.IntegrationTests.Cli;

/// <summary>
/// <c>rgw login --user EMAIL --password-stdin</c>, the scripts' sign-in: the browser's authorization code + PKCE flow
/// driven over HTTP by the real CLI process, against the real gateway; one credentials file per user.
/// </summary>
public sealed class RgwPasswordLoginTests(SqliteGatewayHost host) : IClassFixture<SqliteGatewayHost>, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "rgw-login-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private string CredentialsFor(string name) => Path.Combine(_folder, name + ".json");

    private Task<Rgw.Result> Login(string email, string stdin, string credentials) =>
        Rgw.RunAsync(new Dictionary<string, string?>(), stdin, "login", "--gateway", host.BaseAddress.ToString(), "--user", email, "--password-stdin",
            "--credentials", credentials);

    private static Task<Rgw.Result> WhoAmI(string credentials) => Rgw.RunAsync(new Dictionary<string, string?>(), null, "whoami", "--credentials", credentials);

    [Fact]
    public async Task Given_UserWithPassword_When_SignedInFromStdin_Then_WhoAmIShowsThemFromTheirOwnCredentialsFile()
    {
        var researcher = await host.CreateUserAsync(Roles.Researcher);
        var steward = await host.CreateUserAsync(Roles.DataSteward);

        var first = await Login(researcher.Email, researcher.Password + "\n", CredentialsFor("researcher"));
        var second = await Login(steward.Email, steward.Password + "\n", CredentialsFor("steward"));

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains($"as {researcher.Email}", first.Stdout);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(CredentialsFor("researcher")));
        Assert.Contains(researcher.Id.ToString(), (await WhoAmI(CredentialsFor("researcher"))).Stdout);
        Assert.Contains(steward.Id.ToString(), (await WhoAmI(CredentialsFor("steward"))).Stdout);
    }

    [Fact]
    public async Task Given_OneTimePassword_When_SignedInWithoutANewOne_Then_Refused_AndWithANewOne_Then_ReplacedAndSignedIn()
    {
        var email = $"member-{Guid.NewGuid():N}@example.test";
        CreatedUser created;
        await using (var scope = host.Services.CreateAsyncScope())
            created = await scope.ServiceProvider.GetRequiredService<UserAdministration>()
                .CreateUserAsync(email, [Roles.CommitteeMember], null, EventMetadata.System("test-setup"));
        var oneTime = created.OneTimePassword!;
        const string chosen = "a passphrase the member chose";

        var refused = await Login(email, oneTime + "\n", CredentialsFor("refused"));
        var changed = await Login(email, oneTime + "\n" + chosen + "\n", CredentialsFor("member"));
        var again = await Login(email, chosen + "\n", CredentialsFor("again"));

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("one-time password", refused.Stderr);
        Assert.False(File.Exists(CredentialsFor("refused")));
        Assert.Equal(0, changed.ExitCode);
        Assert.Contains(created.Id.ToString(), (await WhoAmI(CredentialsFor("member"))).Stdout);
        Assert.Equal(0, again.ExitCode);
    }

    [Fact]
    public async Task Given_WrongPassword_When_SignedIn_Then_ExitTwoWithTheSignInPagesReason()
    {
        var user = await host.CreateUserAsync(Roles.Researcher);

        var result = await Login(user.Email, "not the password at all\n", CredentialsFor("wrong"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Wrong e-mail address or password", result.Stderr);
        Assert.Contains("RG1004", result.Stderr);
        Assert.False(File.Exists(CredentialsFor("wrong")));
    }

    [Fact]
    public async Task Given_UserWithoutPasswordStdin_When_LoginRuns_Then_UsageError()
    {
        var result = await Rgw.RunAsync(new Dictionary<string, string?>(), null, "login", "--gateway", host.BaseAddress.ToString(), "--user", "x@example.test");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--password-stdin", result.Stderr);
    }

    [Fact]
    public async Task Given_ExpiredAccessToken_When_ACommandRuns_Then_ItRefreshesAndSavesTheRotatedRefreshToken()
    {
        var user = await host.CreateUserAsync(Roles.ComplianceOfficer);
        var path = CredentialsFor("compliance");
        Assert.Equal(0, (await Login(user.Email, user.Password + "\n", path)).ExitCode);
        var saved = JsonNode.Parse(File.ReadAllText(path))!;
        var refreshToken = saved["RefreshToken"]!.GetValue<string>();
        saved["ExpiresAt"] = DateTimeOffset.UtcNow.AddMinutes(-1);
        File.WriteAllText(path, saved.ToJsonString());

        var whoami = await WhoAmI(path);

        Assert.Equal(0, whoami.ExitCode);
        Assert.Contains(user.Id.ToString(), whoami.Stdout);
        var rotated = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.NotEqual(refreshToken, rotated["RefreshToken"]!.GetValue<string>());
        Assert.True(rotated["ExpiresAt"]!.GetValue<DateTimeOffset>() > DateTimeOffset.UtcNow);
    }
}
