using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;
using ReleaseGateway.Identity.Authorization;

namespace ReleaseGateway.Identity.Connect;

/// <summary>
/// Two relaxations of OpenIddict's exact redirect URI match, each for the clients it is meant for; everything else
/// is OpenIddict's exact match, and the path must always match a registered one exactly.
/// <list type="bullet">
/// <item>A loopback redirect URI on any port when the client registered it without one (RFC 8252 §7.3): the CLI
/// listens on a port the operating system picks, so the port cannot be registered in advance. Only literal loopback
/// addresses over http qualify.</item>
/// <item>For a client the gateway serves itself (application property <see cref="GatewayScopes.SameOriginRedirectProperty"/>,
/// the web interface): a redirect URI on the origin the authorization request itself came to. The gateway's address
/// is not known in advance (a port picked at start, a proxy's host name), and the code then only ever goes back to
/// the gateway that issued it.</item>
/// </list>
/// </summary>
public sealed class LoopbackRedirectApplicationManager<TApplication>(
    IOpenIddictApplicationCache<TApplication> cache,
    ILogger<OpenIddictApplicationManager<TApplication>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictApplicationStore<TApplication> store,
    IServiceProvider services)
    : OpenIddictApplicationManager<TApplication>(cache, logger, options, store) where TApplication : class
{
    public override async ValueTask<bool> ValidateRedirectUriAsync(TApplication application, string uri, CancellationToken cancellationToken = default)
    {
        if (await base.ValidateRedirectUriAsync(application, uri, cancellationToken)) return true;
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var requested) || requested.Query.Length > 0 || requested.Fragment.Length > 0)
            return false;
        var sameOrigin = IsCurrentRequestOrigin(requested) && await ServedByGatewayAsync(application, cancellationToken);
        foreach (var candidate in await GetRedirectUrisAsync(application, cancellationToken))
        {
            if (!Uri.TryCreate(candidate, UriKind.Absolute, out var registered)
                || !string.Equals(registered.AbsolutePath, requested.AbsolutePath, StringComparison.Ordinal))
                continue;
            if (sameOrigin) return true;
            if (IsLoopbackHttp(requested) && IsLoopbackHttp(registered) && registered.IsDefaultPort
                && string.Equals(registered.Host, requested.Host, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    private async ValueTask<bool> ServedByGatewayAsync(TApplication application, CancellationToken cancellationToken) =>
        (await GetPropertiesAsync(application, cancellationToken)).TryGetValue(GatewayScopes.SameOriginRedirectProperty, out var value)
        && value.ValueKind == JsonValueKind.True;

    /// <summary>Scheme, host and port of the request being handled (after forwarded headers from a trusted proxy).</summary>
    private bool IsCurrentRequestOrigin(Uri uri)
    {
        var request = services.GetService<IHttpContextAccessor>()?.HttpContext?.Request;
        if (request is null || !request.Host.HasValue
            || !Uri.TryCreate($"{request.Scheme}://{request.Host.Value}/", UriKind.Absolute, out var origin))
            return false;
        return origin.Scheme == uri.Scheme && origin.Port == uri.Port && string.Equals(origin.Host, uri.Host, StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsLoopbackHttp(Uri uri) =>
        uri.Scheme == Uri.UriSchemeHttp && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
}
