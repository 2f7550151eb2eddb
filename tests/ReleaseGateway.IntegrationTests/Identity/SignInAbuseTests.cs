using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReleaseGateway.Identity.Data;
using ReleaseGateway.Identity.Audit;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Identity.Users;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.Problems;

namespace ReleaseGateway.IntegrationTests.Identity;

/// <summary>The gateway as shipped: no proxy is trusted; a small rate limit so the tests reach it.</summary>
public class SqliteRateLimitedGatewayHost : SqliteGatewayHost
{
    public const int PermitLimit = 5;

    protected override void Configure(IDictionary<string, string?> settings) => settings["Identity:RateLimit:PermitLimit"] = PermitLimit.ToString();
}

public class PostgresRateLimitedGatewayHost : PostgresGatewayHost
{
    protected override void Configure(IDictionary<string, string?> settings) =>
        settings["Identity:RateLimit:PermitLimit"] = SqliteRateLimitedGatewayHost.PermitLimit.ToString();
}

/// <summary>Behind a reverse proxy on loopback, listed in the configuration: the test client plays the proxy and names the client's address.</summary>
public class SqliteBehindProxyGatewayHost : SqliteGatewayHost
{
    protected override void Configure(IDictionary<string, string?> settings) => BehindProxy(settings);

    protected override void ConfigureServices(IServiceCollection services) => PasswordHashing.Observe(services);

    /// <summary>Room for the sign-in tests' attempts from one address, small enough to reach in a test.</summary>
    public const int PermitLimit = 12;

    internal static void BehindProxy(IDictionary<string, string?> settings)
    {
        settings["Identity:RateLimit:PermitLimit"] = PermitLimit.ToString();
        settings["ReleaseGateway:ForwardedHeaders:KnownProxies:0"] = "127.0.0.1";
    }
}

public class PostgresBehindProxyGatewayHost : PostgresGatewayHost
{
    protected override void Configure(IDictionary<string, string?> settings) => SqliteBehindProxyGatewayHost.BehindProxy(settings);

    protected override void ConfigureServices(IServiceCollection services) => PasswordHashing.Observe(services);
}

/// <summary>
/// Counts the password-hashing operations (PBKDF2, the dominant cost of a sign-in) of the gateway's real hasher, which
/// still does the work: equal work on every failure path is what makes their timing equal, and a count does not flake
/// on a busy machine as a stopwatch does.
/// </summary>
public sealed class PasswordHashing(IOptions<PasswordHasherOptions> options) : IPasswordHasher<GatewayUser>
{
    private readonly PasswordHasher<GatewayUser> inner = new(options);
    private int _operations;

    public int Operations => Volatile.Read(ref _operations);

    public static void Observe(IServiceCollection services) => services
        .AddSingleton<PasswordHashing>()
        .AddScoped<IPasswordHasher<GatewayUser>>(provider => provider.GetRequiredService<PasswordHashing>());

    public string HashPassword(GatewayUser user, string password)
    {
        Interlocked.Increment(ref _operations);
        return inner.HashPassword(user, password);
    }

    public PasswordVerificationResult VerifyHashedPassword(GatewayUser user, string hashedPassword, string providedPassword)
    {
        Interlocked.Increment(ref _operations);
        return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
    }
}

public sealed class ForgedForwardingTestsOnSqlite(SqliteRateLimitedGatewayHost host) : ForgedForwardingTests<SqliteRateLimitedGatewayHost>(host);

public sealed class ForgedForwardingTestsOnPostgres(PostgresRateLimitedGatewayHost host) : ForgedForwardingTests<PostgresRateLimitedGatewayHost>(host);

/// <summary>Issue 15, row 3: <c>X-Forwarded-For</c> from a proxy nobody listed changes nothing, so it cannot dodge the rate limit.</summary>
public abstract class ForgedForwardingTests<THost>(THost host) : IClassFixture<THost> where THost : GatewayHost
{
    [Fact]
    public async Task Bug_RotatingXForwardedFor_DefeatedTheLoginRateLimit()
    {
        using var client = host.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= SqliteRateLimitedGatewayHost.PermitLimit; i++)
            statuses.Add((await client.SendAsync(Forwarded(HttpMethod.Post, "/account/login", $"203.0.113.{i + 1}",
                new FormUrlEncodedContent([new("email", "x@example.test"), new("password", "guess")])))).StatusCode);

        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, statuses[..^1]);
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    [Fact]
    public async Task Bug_RotatingXForwardedFor_DefeatedTheTokenEndpointRateLimit()
    {
        using var client = host.CreateClient();
        HttpResponseMessage? last = null;
        for (var i = 0; i <= SqliteRateLimitedGatewayHost.PermitLimit; i++)
            last = await client.SendAsync(Forwarded(HttpMethod.Post, "/connect/token", $"203.0.113.{i + 1}", new FormUrlEncodedContent(
            [
                new("grant_type", "client_credentials"), new("client_id", "svc-guess"), new("client_secret", $"guess-{i}"), new("scope", GatewayScopes.Api),
            ])));

        Assert.Equal(HttpStatusCode.TooManyRequests, last!.StatusCode);
        Assert.Contains(ErrorCodes.TooManyAttempts, await last.Content.ReadAsStringAsync());
    }

    internal static HttpRequestMessage Forwarded(HttpMethod method, string path, string clientAddress, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("X-Forwarded-For", clientAddress);
        return request;
    }
}

public sealed class SignInAbuseTestsOnSqlite(SqliteBehindProxyGatewayHost host) : SignInAbuseTests<SqliteBehindProxyGatewayHost>(host);

public sealed class SignInAbuseTestsOnPostgres(PostgresBehindProxyGatewayHost host) : SignInAbuseTests<PostgresBehindProxyGatewayHost>(host);

/// <summary>
/// Issue 15, rows 3 and 4 behind a listed proxy: clients are told apart by the address the proxy forwards; failed
/// sign-ins all get one answer at one cost, and failures from one address cannot lock the account's owner out.
/// </summary>
public abstract partial class SignInAbuseTests<THost>(THost host) : IClassFixture<THost> where THost : GatewayHost
{
    private const int MaxFailedAttempts = 3; // GatewayHost's setting

    private static int _nextAddress;

    /// <summary>A client address of its own for each use, so tests sharing the host never share a rate-limit bucket.</summary>
    private static string NewAddress()
    {
        var n = Interlocked.Increment(ref _nextAddress);
        return $"198.51.{n / 250}.{n % 250 + 1}";
    }

    [Fact]
    public async Task Given_AListedProxy_When_ItForwardsDifferentClients_Then_EachHasItsOwnRateLimit()
    {
        using var client = host.CreateClient();
        var distinct = new List<HttpStatusCode>();
        for (var i = 0; i <= SqliteBehindProxyGatewayHost.PermitLimit; i++)
            distinct.Add((await client.SendAsync(ForgedForwardingTests<THost>.Forwarded(HttpMethod.Post, "/account/login", NewAddress(),
                new FormUrlEncodedContent([new("email", "x@example.test")])))).StatusCode);
        var one = NewAddress();
        HttpResponseMessage? last = null;
        for (var i = 0; i <= SqliteBehindProxyGatewayHost.PermitLimit; i++)
            last = await client.SendAsync(ForgedForwardingTests<THost>.Forwarded(HttpMethod.Post, "/account/login", one,
                new FormUrlEncodedContent([new("email", "x@example.test")])));

        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, distinct);
        Assert.Equal(HttpStatusCode.TooManyRequests, last!.StatusCode);
    }

    [Fact]
    public async Task Bug_FivePasswordGuessesLockedTheOwnerOutForFifteenMinutes()
    {
        var user = await host.CreateUserAsync(Roles.Researcher);
        var attacker = NewAddress();
        for (var i = 0; i < MaxFailedAttempts + 2; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(attacker, user.Email, "wrong-password-123")).StatusCode);

        var ownerElsewhere = await LoginAsync(NewAddress(), user.Email, user.Password);
        var rightPasswordFromTheAttacker = await LoginAsync(attacker, user.Email, user.Password);

        Assert.Equal(HttpStatusCode.Redirect, ownerElsewhere.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, rightPasswordFromTheAttacker.StatusCode);
        var events = (await host.EventStore.FetchStreamAsync(user.Id)).Select(e => e.Data).ToList();
        Assert.Equal(MaxFailedAttempts + 3, events.OfType<UserSignInFailed>().Count());
        Assert.Single(events.OfType<UserSignInThrottled>());
        Assert.DoesNotContain(events, e => e is UserLockedOut);
        Assert.Single(events.OfType<UserSignedIn>());
    }

    [Fact]
    public async Task Bug_LockedAccountsAnswered403AndUnknownOnes401_SoAccountsCouldBeEnumerated()
    {
        var (admin, _) = await host.CreateClientForRoleAsync(Roles.Administrator);
        var throttled = await host.CreateUserAsync(Roles.Researcher);
        var disabled = await host.CreateUserAsync(Roles.Researcher);
        var known = await host.CreateUserAsync(Roles.Researcher);
        var source = NewAddress();
        for (var i = 0; i < MaxFailedAttempts; i++) await LoginAsync(source, throttled.Email, "wrong-password-123");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsJsonAsync("/api/admin/users/disable", new AccountRequest(disabled.Email))).StatusCode);

        var answers = new[]
        {
            await LoginAsync(NewAddress(), $"nobody-{Guid.NewGuid():N}@example.test", "wrong-password-123"),
            await LoginAsync(NewAddress(), known.Email, "wrong-password-123"),
            await LoginAsync(source, throttled.Email, throttled.Password),
            await LoginAsync(NewAddress(), disabled.Email, disabled.Password),
        };

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Unauthorized, a.StatusCode));
        var bodies = await Task.WhenAll(answers.Select(async a => WithoutAntiforgery(await a.Content.ReadAsStringAsync())));
        Assert.Single(bodies.Distinct());
        Assert.Contains(ErrorCodes.InvalidCredentials, bodies[0]);
        // Every failure is audited, the unknown address's too (without the address).
        Assert.Contains((await host.EventStore.FetchStreamAsync(IdentityAuditLog.UnknownAccountsStream)).Select(e => e.Data),
            e => e is UnknownAccountSignInFailed { Reason: SignInFailureReasons.UnknownAccount });
        Assert.Contains((await host.EventStore.FetchStreamAsync(disabled.Id)).Select(e => e.Data),
            e => e is UserSignInFailed { Reason: SignInFailureReasons.Disabled });
        Assert.Contains((await host.EventStore.FetchStreamAsync(throttled.Id)).Select(e => e.Data),
            e => e is UserSignInFailed { Reason: SignInFailureReasons.Throttled });
    }

    [Fact]
    public async Task Bug_UnknownAccountsAnsweredFasterThanWrongPasswords()
    {
        var known = await host.CreateUserAsync(Roles.Researcher);
        var throttled = await host.CreateUserAsync(Roles.Researcher);
        var throttledFrom = NewAddress();
        for (var i = 0; i < MaxFailedAttempts; i++) await LoginAsync(throttledFrom, throttled.Email, "wrong-password-123");

        // Without hashing on the paths that skip the password check, unknown and blocked answers were many times faster:
        // each failure must cost exactly one password hash, as a wrong password does.
        var work = new Dictionary<string, int>
        {
            ["unknown account"] = await HashesDuringAsync(NewAddress(), $"nobody-{Guid.NewGuid():N}@example.test"),
            ["wrong password"] = await HashesDuringAsync(NewAddress(), known.Email),
            ["throttled source"] = await HashesDuringAsync(throttledFrom, throttled.Email),
        };
        Assert.All(work, w => Assert.True(w.Value == 1, $"{w.Key}: {w.Value} password hashes"));
    }

    private async Task<int> HashesDuringAsync(string clientAddress, string email)
    {
        var post = await PrepareLoginAsync(clientAddress, email, "wrong-password-123");
        var hashing = host.Services.GetRequiredService<PasswordHashing>();
        var before = hashing.Operations;
        using var response = await post();
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        return hashing.Operations - before;
    }

    private async Task<HttpResponseMessage> LoginAsync(string clientAddress, string email, string password) =>
        await (await PrepareLoginAsync(clientAddress, email, password))();

    /// <summary>Fetches the form (with its antiforgery token) and returns the post of it, so a test can time the post alone.</summary>
    private async Task<Func<Task<HttpResponseMessage>>> PrepareLoginAsync(string clientAddress, string email, string password)
    {
        var browser = host.CreateBrowser();
        var form = await (await browser.SendAsync(ForgedForwardingTests<THost>.Forwarded(HttpMethod.Get, "/account/login", clientAddress))).Content.ReadAsStringAsync();
        return async () =>
        {
            using var _ = browser;
            return await browser.SendAsync(ForgedForwardingTests<THost>.Forwarded(HttpMethod.Post, "/account/login", clientAddress, new FormUrlEncodedContent(
            [
                new("email", email), new("password", password), new("returnUrl", "/"), new("__RequestVerificationToken", Browser.AntiforgeryToken(form)),
            ])));
        };
    }

    private static string WithoutAntiforgery(string html) => AntiforgeryValue().Replace(html, "");

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"[^\"]+\"")]
    private static partial Regex AntiforgeryValue();
}
