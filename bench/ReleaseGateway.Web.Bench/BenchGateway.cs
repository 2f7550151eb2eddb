using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using ReleaseGateway.Testing;

namespace ReleaseGateway.Web.Bench;

/// <summary>
/// The real gateway (Program.cs) on a loopback port with Kestrel, on SQLite in a data folder of its own (or a database of
/// the throw-away PostgreSQL cluster), its pipeline jobs off (the bench writes the releases' events itself), with
/// <c>Server-Timing</c> on, and a policy per bench dataset whose budget fits hundreds of releases.
/// </summary>
internal sealed class BenchGateway : IAsyncDisposable
{
    public const string PolicyYaml = """
        budget:
          epsilon: 100
          delta: 1.0e-6
        maxReleases: 1000
        shadowModel:
          shadowTargets: 1
          shadowRuns: 4
        """;

    private readonly WebApplicationFactory<Program> _factory;

    private BenchGateway(WebApplicationFactory<Program> factory, Uri baseAddress, string dataDirectory)
    {
        _factory = factory;
        BaseAddress = baseAddress;
        DataDirectory = dataDirectory;
    }

    public Uri BaseAddress { get; }

    public string DataDirectory { get; }

    public IServiceProvider Services => _factory.Services;

    public static async Task<BenchGateway> StartAsync(IReadOnlyList<string> datasetNames, bool postgres)
    {
        var data = Path.Combine(Path.GetTempPath(), "rgw-web-bench-" + Guid.NewGuid().ToString("N"));
        var policies = Path.Combine(data, "policies");
        Directory.CreateDirectory(policies);
        File.Copy(Path.Combine(RepositoryPaths.Root, "policies", "default.yaml"), Path.Combine(policies, "default.yaml"));
        foreach (var name in datasetNames) await File.WriteAllTextAsync(Path.Combine(policies, name + ".yaml"), PolicyYaml);
        var settings = new Dictionary<string, string?>
        {
            ["ReleaseGateway:DataDirectory"] = data,
            ["ConnectionStrings:Postgres"] = postgres ? await PostgresCluster.Shared.CreateDatabaseAsync("rgw_web_bench_" + Guid.NewGuid().ToString("N")[..8]) : null,
            ["ReleaseGateway:PoliciesDirectory"] = policies,
            ["ReleaseGateway:RequireHttps"] = "false",
            ["ReleaseGateway:ServerTiming"] = "true",
            ["ReleaseGateway:Jobs:Enabled"] = "false",
            ["Identity:RateLimit:PermitLimit"] = "1000000",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var factory = new Factory(settings);
        factory.UseKestrel(0);
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new BenchGateway(factory, new Uri(address), data);
    }

    /// <summary>A browser-like client signed in to the pages through the gateway's own OpenID Connect flow.</summary>
    public async Task<HttpClient> SignInAsync(string email, string password)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer(), UseCookies = true })
        {
            BaseAddress = BaseAddress,
        };
        var login = await FollowAsync(client, await client.GetAsync("/ui"));
        var html = await login.Content.ReadAsStringAsync();
        var token = WebUtility.HtmlDecode(Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value);
        var returnUrl = WebUtility.HtmlDecode(Regex.Match(html, "name=\"returnUrl\" value=\"([^\"]*)\"").Groups[1].Value);
        var signedIn = await client.PostAsync("/account/login", new FormUrlEncodedContent(
        [
            new("email", email), new("password", password), new("returnUrl", returnUrl), new("__RequestVerificationToken", token),
        ]));
        var home = await FollowAsync(client, signedIn);
        if (home.StatusCode != HttpStatusCode.OK || !(await home.Content.ReadAsStringAsync()).Contains(email, StringComparison.Ordinal))
            throw new InvalidOperationException($"Signing in {email} ended with {(int)home.StatusCode}.");
        return client;
    }

    private async Task<HttpResponseMessage> FollowAsync(HttpClient client, HttpResponseMessage response)
    {
        for (var hops = 0; hops < 10 && (int)response.StatusCode is >= 300 and < 400; hops++)
        {
            var location = response.Headers.Location!;
            if (location.IsAbsoluteUri && location.Authority != BaseAddress.Authority) return response;
            response = await client.GetAsync(location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString);
        }
        return response;
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing SQLite pool is left for the OS temp cleaner.
        }
    }

    private sealed class Factory(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseContentRoot(Path.Combine(RepositoryPaths.Root, "src", "ReleaseGateway.Api"));
            foreach (var (key, value) in settings)
                if (value is not null) builder.UseSetting(key, value);
        }
    }
}
