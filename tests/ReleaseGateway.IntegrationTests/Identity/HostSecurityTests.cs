using System.Net;
using System.Text.Json;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.Problems;

namespace ReleaseGateway.IntegrationTests.Identity;

// Host middleware does not touch storage, so these run on the SQLite host only.

/// <summary>Security headers, closed CORS, health, OpenAPI and the error pages of the default host.</summary>
public sealed class HostSecurityTests(SqliteGatewayHost host) : IClassFixture<SqliteGatewayHost>
{
    [Fact]
    public async Task Given_SignInPage_When_Requested_Then_ItCarriesSecurityHeadersAndIsNotCached()
    {
        using var client = host.CreateClient();
        var response = await client.GetAsync("/account/login");

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.True(response.Headers.CacheControl!.NoStore);
    }

    [Fact]
    public async Task Given_AnotherOrigin_When_ACorsPreflightIsSent_Then_NotAllowed()
    {
        using var client = host.CreateClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/me");
        preflight.Headers.Add("Origin", "https://elsewhere.example");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization");

        var response = await client.SendAsync(preflight);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Given_RunningHost_When_ReadinessIsProbed_Then_ItChecksTheDatabases()
    {
        using var client = host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Given_RunningHost_When_TheOpenApiDocumentIsRequested_Then_ItDescribesTheApi()
    {
        using var client = host.CreateClient();
        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/me", out _));
        Assert.False(paths.TryGetProperty("/account/login", out _));
        Assert.Equal("bearer", document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer").GetProperty("scheme").GetString());
    }

    [Fact]
    public async Task Given_Problem_When_ItsTypeIsFollowed_Then_ItPointsToAnExplanationPage()
    {
        using var client = host.CreateClient();
        var problem = JsonDocument.Parse(await (await client.GetAsync("/api/admin/users")).Content.ReadAsStringAsync()).RootElement;
        var type = problem.GetProperty("type").GetString()!;
        Assert.Equal(ErrorCodes.TypeUri(ErrorCodes.AuthenticationRequired), type);

        var page = await client.GetAsync(type);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(ErrorCodes.Get(ErrorCodes.AuthenticationRequired).Title, await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Given_Admin_When_CreatingAUserThroughTheApi_Then_TheOneTimePasswordIsShownOnce()
    {
        using var admin = host.CreateClient(await host.AccessTokenForRoleAsync(Roles.Administrator));
        var email = $"new-{Guid.NewGuid():N}@example.test";

        var created = await admin.PostAsync("/api/admin/users", JsonContent(new { email, roles = new[] { Roles.Researcher } }));
        var again = await admin.PostAsync("/api/admin/users", JsonContent(new { email, roles = new[] { Roles.Researcher } }));
        var badRole = await admin.PostAsync("/api/admin/users", JsonContent(new { email = "x" + email, roles = new[] { "Superuser" } }));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(20, JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("oneTimePassword").GetString()!.Length);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(ErrorCodes.UserAlreadyExists, JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        Assert.Equal(ErrorCodes.UnknownRole, JsonDocument.Parse(await badRole.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        var list = await admin.GetStringAsync("/api/admin/users");
        Assert.Contains(email, list);
        Assert.DoesNotContain("passwordHash", list, StringComparison.OrdinalIgnoreCase);
    }

    private static StringContent JsonContent(object value) =>
        new(JsonSerializer.Serialize(value), System.Text.Encoding.UTF8, "application/json");
}

/// <summary>A host with a tiny sign-in rate limit.</summary>
public sealed class RateLimitedGatewayHost : SqliteGatewayHost
{
    public const int PermitLimit = 3;

    protected override void Configure(IDictionary<string, string?> settings) =>
        settings["Identity:RateLimit:PermitLimit"] = PermitLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

public sealed class RateLimitTests(RateLimitedGatewayHost host) : IClassFixture<RateLimitedGatewayHost>
{
    [Theory]
    [InlineData("/connect/token")]
    [InlineData("/connect/device")]
    [InlineData("/account/login")]
    public async Task Given_SignInEndpoints_When_CalledBeyondThePermitLimit_Then_429(string path)
    {
        using var client = host.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= RateLimitedGatewayHost.PermitLimit; i++)
        {
            var response = await client.PostAsync(path, new FormUrlEncodedContent([new("client_id", GatewayScopes.CliClientId)]));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
                Assert.Equal(ErrorCodes.TooManyAttempts,
                    JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
            }
        }

        Assert.All(statuses.Take(RateLimitedGatewayHost.PermitLimit), s => Assert.NotEqual(HttpStatusCode.TooManyRequests, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    [Fact]
    public async Task Given_ApiEndpoint_When_CalledBeyondTheSignInPermitLimit_Then_NotLimited()
    {
        using var client = host.CreateClient();
        for (var i = 0; i <= RateLimitedGatewayHost.PermitLimit * 2; i++)
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await client.GetAsync("/api/me")).StatusCode);
    }
}

/// <summary>Its own host with the tiny limit: these tests count the token endpoint's permits from the start.</summary>
public sealed class WebSignInRateLimitedGatewayHost : SqliteGatewayHost
{
    protected override void Configure(IDictionary<string, string?> settings) =>
        settings["Identity:RateLimit:PermitLimit"] = RateLimitedGatewayHost.PermitLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

public sealed class WebSignInRateLimitTests(WebSignInRateLimitedGatewayHost host) : IClassFixture<WebSignInRateLimitedGatewayHost>
{
    [Fact]
    public async Task Given_WebSignInsUpToThePermitLimit_When_AnotherClientAtThatAddressCallsTheTokenEndpoint_Then_OnlyItIsLimited()
    {
        // Every web sign-in's code exchange comes from the gateway itself, one address for all its users.
        for (var i = 0; i < RateLimitedGatewayHost.PermitLimit; i++)
        {
            using var session = await Web.WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.Researcher));
            Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/ui/requests")).Status);
        }

        var service = await host.CreateServiceClientAsync(Roles.ComplianceOfficer);
        using var client = host.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= RateLimitedGatewayHost.PermitLimit; i++)
        {
            var guess = await client.PostAsync("/connect/token", new FormUrlEncodedContent(
                [new("grant_type", "client_credentials"), new("client_id", service.ClientId), new("client_secret", "guess-" + i)]));
            statuses.Add(guess.StatusCode);
        }

        Assert.All(statuses.Take(RateLimitedGatewayHost.PermitLimit), s => Assert.NotEqual(HttpStatusCode.TooManyRequests, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }
}

/// <summary>A host with the production default: HTTPS required (no override).</summary>
public sealed class HttpsRequiredGatewayHost : SqliteGatewayHost
{
    protected override void Configure(IDictionary<string, string?> settings) => settings.Remove("ReleaseGateway:RequireHttps");
}

public sealed class HttpsRequiredTests(HttpsRequiredGatewayHost host) : IClassFixture<HttpsRequiredGatewayHost>
{
    [Theory]
    [InlineData("/api/me")]
    [InlineData("/account/login")]
    [InlineData("/.well-known/openid-configuration")]
    public async Task Given_HostOutsideDevelopment_When_CalledOverPlainHttp_Then_Refused(string path)
    {
        using var client = host.CreateClient();
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ErrorCodes.HttpsRequired, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Given_HostOutsideDevelopment_When_HealthIsProbedOverHttp_Then_ItAnswers()
    {
        using var client = host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }
}
