using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using ReleaseGateway.Identity;

namespace ReleaseGateway.Web.SignIn;

/// <summary>The request came to a host name that is not one of this gateway's (see <see cref="GatewayOrigins"/>).</summary>
public sealed class UnknownGatewayOriginException(string origin)
    : Exception($"The web interface signs in only on this gateway's own origins, and {origin} is not one; set ReleaseGateway:Web:Origins or Identity:Issuer.")
{
    public string Origin { get; } = origin;
}

/// <summary>
/// The origins the web interface accepts as this gateway's: the configured issuer (<c>Identity:Issuer</c>), the
/// origins listed under <c>ReleaseGateway:Web:Origins</c>, and loopback on a port the server listens on. The sign-in
/// fetches the server's metadata and redeems codes over HTTP on the request's origin, so a forged Host header
/// must not point those requests anywhere else.
/// </summary>
public sealed class GatewayOrigins(IServer server, IConfiguration configuration, IdentitySettings settings)
{
    private readonly Lazy<HashSet<string>> _configured = new(() =>
    {
        var origins = configuration.GetSection("ReleaseGateway:Web:Origins").Get<string[]>() ?? [];
        return origins.Append(settings.Issuer?.ToString())
            .Select(o => Uri.TryCreate(o, UriKind.Absolute, out var uri) ? Origin(uri) : null)
            .OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
    });

    public bool IsGateway(HttpRequest request) => Find(request) is not null;

    /// <summary>The request's origin (<c>scheme://host:port</c>) when it is this gateway's; otherwise <see cref="UnknownGatewayOriginException"/>.</summary>
    public string Of(HttpRequest request) => Find(request) ?? throw new UnknownGatewayOriginException($"{request.Scheme}://{request.Host.Value}");

    private string? Find(HttpRequest request)
    {
        if (!request.Host.HasValue || !Uri.TryCreate($"{request.Scheme}://{request.Host.Value}/", UriKind.Absolute, out var uri)) return null;
        var origin = Origin(uri);
        return _configured.Value.Contains(origin) || IsLoopbackListener(uri) ? origin : null;
    }

    private bool IsLoopbackListener(Uri uri)
    {
        var loopback = uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
        if (!loopback) return false;
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return addresses.Any(a => BindingAddress.Parse(a) is var b && b.Port == uri.Port && string.Equals(b.Scheme, uri.Scheme, StringComparison.OrdinalIgnoreCase));
    }

    private static string Origin(Uri uri) => $"{uri.Scheme}://{uri.Host}:{uri.Port}".ToLowerInvariant();
}

/// <summary>
/// The server's discovery document for the origin of the current request, one cached
/// <see cref="ConfigurationManager{T}"/> per origin (there are only the gateway's own few).
/// </summary>
internal sealed class SameOriginConfigurationManager(IHttpContextAccessor accessor, GatewayOrigins origins, HttpClient backchannel, bool requireHttps)
    : IConfigurationManager<OpenIdConnectConfiguration>
{
    private readonly ConcurrentDictionary<string, ConfigurationManager<OpenIdConnectConfiguration>> _byOrigin = new(StringComparer.Ordinal);

    public Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel) => ForCurrentRequest().GetConfigurationAsync(cancel);

    public void RequestRefresh() => ForCurrentRequest().RequestRefresh();

    private ConfigurationManager<OpenIdConnectConfiguration> ForCurrentRequest()
    {
        var request = accessor.HttpContext?.Request ?? throw new InvalidOperationException("The web sign-in runs only while handling a request.");
        return _byOrigin.GetOrAdd(origins.Of(request), origin => new ConfigurationManager<OpenIdConnectConfiguration>(
            origin + "/.well-known/openid-configuration", new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(backchannel) { RequireHttps = requireHttps }));
    }
}
