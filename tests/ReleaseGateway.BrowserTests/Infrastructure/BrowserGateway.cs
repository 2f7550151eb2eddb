using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Identity.Users;
using ReleaseGateway.Testing;

namespace ReleaseGateway.BrowserTests.Infrastructure;

/// <summary>All browser tests share one gateway and one chromium, and run one after the other.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserSuite : ICollectionFixture<BrowserGateway>
{
    public const string Name = "Browser";
}

/// <summary>A user made for a test (as <c>rgw users add</c> makes one) and the password it signs in with.</summary>
public sealed record TestUser(Guid Id, string Email, string Password, string Role, bool MustChangePassword);

/// <summary>
/// The real gateway (Program.cs) on a loopback port with Kestrel, as the integration tests run it
/// (<c>tests/ReleaseGateway.IntegrationTests/Infrastructure/GatewayHost.cs</c>): SQLite in a data folder of its own,
/// its pipeline jobs running, and policies of its own so a release is quick to evaluate. Plus one headless Debian
/// chromium that every person in a test opens a private window (a browser context) of.
/// </summary>
public sealed class BrowserGateway : IAsyncLifetime
{
    private WebApplicationFactory<Program>? _factory;
    private IPlaywright? _playwright;

    public Uri BaseAddress { get; private set; } = null!;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "rgw-browser-" + Guid.NewGuid().ToString("N"));

    private string PoliciesDirectory { get; } = Path.Combine(Path.GetTempPath(), "rgw-browser-policies-" + Guid.NewGuid().ToString("N"));

    public IBrowser Browser { get; private set; } = null!;

    public IServiceProvider Services => _factory?.Services ?? throw new InvalidOperationException("The gateway has not started.");

    public static readonly string[] DatasetNames = ["gbsg", SharedDataset];

    /// <summary>The dataset the shorter tests make requests of (the release journey registers its own, "gbsg").</summary>
    public const string SharedDataset = "gbsg-shared";

    private readonly SemaphoreSlim _sharedDatasetLock = new(1, 1);
    private bool _sharedDatasetRegistered;

    /// <summary>Registers <see cref="SharedDataset"/> through a steward's pages the first time a test needs it.</summary>
    public async Task<string> SharedDatasetAsync()
    {
        await _sharedDatasetLock.WaitAsync();
        try
        {
            if (!_sharedDatasetRegistered)
            {
                await using var steward = await SignInAsync("shared.steward", Roles.DataSteward);
                await Pages.RegisterDatasetAsync(steward, SharedDataset);
                _sharedDatasetRegistered = true;
            }
            return SharedDataset;
        }
        finally
        {
            _sharedDatasetLock.Release();
        }
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(PoliciesDirectory);
        File.Copy(Path.Combine(RepositoryPaths.Root, "policies", "default.yaml"), Path.Combine(PoliciesDirectory, "default.yaml"));
        // A dataset's name picks policies/NAME.yaml; every name these tests register gets the chance-proof test policy.
        foreach (var name in DatasetNames) await File.WriteAllTextAsync(Path.Combine(PoliciesDirectory, name + ".yaml"), PipelineTestPolicy.Yaml());

        var settings = new Dictionary<string, string>
        {
            ["ReleaseGateway:DataDirectory"] = DataDirectory,
            ["ReleaseGateway:PoliciesDirectory"] = PoliciesDirectory,
            ["ReleaseGateway:RequireHttps"] = "false",
            ["Identity:RateLimit:PermitLimit"] = "100000",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
            ["ReleaseGateway:Jobs:Enabled"] = "true",
        };
        _factory = new Factory(settings);
        _factory.UseKestrel(0);
        _factory.StartServer();
        var addresses = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseAddress = new Uri(addresses.First());

        (_playwright, Browser) = await Chromium.LaunchAsync();
        // A loaded 2-core machine shared with other builds: web-first assertions get time to become true.
        Assertions.SetDefaultExpectTimeout(30_000);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_factory is not null) await _factory.DisposeAsync();
        foreach (var directory in new[] { DataDirectory, PoliciesDirectory })
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by a closing SQLite pool is left for the OS temp cleaner.
            }
        }
    }

    /// <summary>
    /// Creates a user through the same code path as <c>rgw users add</c>. With <paramref name="oneTimePassword"/> the
    /// account gets a one-time password, as an administrator's new user does, which the browser must change at first
    /// sign-in. Addresses are made unique per run with a short suffix so names stay readable in screenshots.
    /// </summary>
    public async Task<TestUser> CreateUserAsync(string name, string role, bool oneTimePassword = false)
    {
        var email = $"{name}.{RandomNumberGenerator.GetHexString(4).ToLowerInvariant()}@hospital.example";
        var password = oneTimePassword ? null : "pw-" + RandomNumberGenerator.GetHexString(24);
        await using var scope = Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<UserAdministration>()
            .CreateUserAsync(email, [role], password, EventMetadata.System("test-setup"));
        return new TestUser(created.Id, email, password ?? created.OneTimePassword!, role, oneTimePassword);
    }

    /// <summary>A person with their own private browser window, signed in through the gateway's sign-in page.</summary>
    public async Task<Person> SignInAsync(string name, string role, bool oneTimePassword = false)
    {
        var user = await CreateUserAsync(name, role, oneTimePassword);
        var context = await OpenWindowAsync();
        var person = new Person(user, context, await context.NewPageAsync());
        await person.SignInAsync();
        return person;
    }

    /// <summary>A private window of its own, signed in to nothing (someone opening a link they were sent).</summary>
    public async Task<IBrowserContext> OpenWindowAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString().TrimEnd('/'),
            ViewportSize = Screenshots.Viewport,
            DeviceScaleFactor = 1,
            AcceptDownloads = true,
            Locale = "en-GB",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(30_000);
        context.SetDefaultNavigationTimeout(60_000);
        return context;
    }

    private sealed class Factory(IReadOnlyDictionary<string, string> settings) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
            builder.ConfigureLogging(logging => logging.AddProvider(new GatewayLog(Path.Combine(Screenshots.Directory, "gateway.log"))));
        }
    }
}
