using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Users;
using ReleaseGateway.Testing;

namespace ReleaseGateway.IntegrationTests.Infrastructure;

/// <summary>A user created for a test, with the password it signs in with.</summary>
public sealed record TestUser(Guid Id, string Email, string Password, IReadOnlyList<string> Roles);

/// <summary>
/// The real gateway (Program.cs) on a loopback port with Kestrel, a data folder of its own and either SQLite or a
/// database of its own on the throw-away PostgreSQL cluster. Share it per test class with
/// <c>IClassFixture&lt;SqliteGatewayHost&gt;</c> / <c>IClassFixture&lt;PostgresGatewayHost&gt;</c> (see
/// <c>Identity/TokenFlowTests.cs</c> for the abstract-class-plus-two-subclasses pattern). Users, clients and tokens
/// are made through the same code paths as <c>rgw users add</c> and <c>rgw login</c>; every test makes its own users.
/// Subclass and override <see cref="Configure"/> for other settings.
/// </summary>
public abstract class GatewayHost : IAsyncLifetime
{
    private WebApplicationFactory<Program>? _factory;
    private readonly Dictionary<string, TokenSet> _roleTokens = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _roleTokensLock = new(1, 1);

    public Uri BaseAddress { get; private set; } = null!;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "rgw-it-" + Guid.NewGuid().ToString("N"));

    /// <summary>The PostgreSQL connection string, or null on SQLite.</summary>
    public string? PostgresConnectionString { get; private set; }

    public IServiceProvider Services => _factory?.Services ?? throw new InvalidOperationException("The host has not started.");

    public IEventStore EventStore => Services.GetRequiredService<IEventStore>();

    /// <summary>Settings applied on top of appsettings.json. The defaults fit tests: plain HTTP on loopback, generous rate limits.</summary>
    protected virtual void Configure(IDictionary<string, string?> settings)
    {
    }

    /// <summary>Services added after the gateway's own (e.g. an observer around a real service); none by default.</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    protected abstract Task<string?> CreatePostgresDatabaseAsync();

    public async Task InitializeAsync()
    {
        PostgresConnectionString = await CreatePostgresDatabaseAsync();
        var settings = new Dictionary<string, string?>
        {
            ["ReleaseGateway:DataDirectory"] = DataDirectory,
            ["ConnectionStrings:Postgres"] = PostgresConnectionString,
            ["ReleaseGateway:RequireHttps"] = "false",
            ["Identity:RateLimit:PermitLimit"] = "100000",
            ["Identity:Lockout:MaxFailedAttempts"] = "3",
            ["Logging:LogLevel:Default"] = "Warning",
            // Most tests stop at a decision; the release pipeline's own tests (Releases/PipelineHost.cs) run the jobs.
            ["ReleaseGateway:Jobs:Enabled"] = "false",
        };
        Configure(settings);
        _factory = new Factory(settings, ConfigureServices);
        _factory.UseKestrel(0);
        _factory.StartServer();
        var addresses = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseAddress = new Uri(addresses.First());
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing SQLite pool is left for the OS temp cleaner.
        }
    }

    /// <summary>A plain HTTP client for the gateway, with no credentials.</summary>
    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress };

    /// <summary>A client whose requests carry <paramref name="accessToken"/>.</summary>
    public HttpClient CreateClient(string accessToken)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return client;
    }

    /// <summary>A browser-like client (cookies, no automatic redirects) for the sign-in pages.</summary>
    public Browser CreateBrowser() => new(BaseAddress);

    /// <summary>Creates a user with a random e-mail address and password through the same path as <c>rgw users add</c>.</summary>
    public async Task<TestUser> CreateUserAsync(params string[] roles)
    {
        var email = $"user-{Guid.NewGuid():N}@example.test";
        var password = "pw-" + RandomNumberGenerator.GetHexString(24);
        await using var scope = Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<UserAdministration>()
            .CreateUserAsync(email, roles, password, EventMetadata.System("test-setup"));
        return new TestUser(created.Id, email, password, roles);
    }

    /// <summary>Registers a service client for the client-credentials flow, as <c>rgw clients add</c> does.</summary>
    public async Task<RegisteredClient> CreateServiceClientAsync(params string[] roles)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<UserAdministration>()
            .RegisterServiceClientAsync("test client", roles, EventMetadata.System("test-setup"));
    }

    /// <summary>Signs <paramref name="user"/> in with authorization code + PKCE over HTTP, as the CLI does.</summary>
    public Task<TokenSet> SignInAsync(TestUser user, string scope = OAuth.DefaultScope) =>
        OAuth.SignInWithAuthorizationCodeAsync(CreateBrowser(), user, scope);

    /// <summary>A client carrying a real access token of a fresh user holding <paramref name="roles"/>.</summary>
    public async Task<(HttpClient Client, TestUser User)> CreateClientForRoleAsync(params string[] roles)
    {
        var user = await CreateUserAsync(roles);
        var tokens = await SignInAsync(user);
        return (CreateClient(tokens.AccessToken), user);
    }

    /// <summary>An access token for one shared user per role set, signed in once per host (for read-only checks).</summary>
    public async Task<string> AccessTokenForRoleAsync(params string[] roles)
    {
        var key = string.Join('+', roles.Order(StringComparer.Ordinal));
        await _roleTokensLock.WaitAsync();
        try
        {
            if (!_roleTokens.TryGetValue(key, out var tokens))
                _roleTokens[key] = tokens = await SignInAsync(await CreateUserAsync(roles));
            return tokens.AccessToken;
        }
        finally
        {
            _roleTokensLock.Release();
        }
    }

    private sealed class Factory(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection> services) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            foreach (var (key, value) in settings)
                if (value is not null) builder.UseSetting(key, value);
            builder.ConfigureServices(services);
        }
    }
}

/// <summary>The gateway on the embedded default: SQLite files in the host's data folder.</summary>
public class SqliteGatewayHost : GatewayHost
{
    protected override Task<string?> CreatePostgresDatabaseAsync() => Task.FromResult<string?>(null);
}

/// <summary>The gateway on a fresh database of the throw-away PostgreSQL cluster.</summary>
public class PostgresGatewayHost : GatewayHost
{
    protected override async Task<string?> CreatePostgresDatabaseAsync() =>
        await PostgresCluster.Shared.CreateDatabaseAsync("rgw_it_" + Guid.NewGuid().ToString("N")[..12]);
}
