using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;

namespace ReleaseGateway.Identity.Connect;

/// <summary>
/// Accepts a loopback redirect URI on any port when the client registered it without one (RFC 8252 §7.3):
/// the CLI listens on a port the operating system picks, so the port cannot be registered in advance.
/// Only literal loopback addresses over http qualify; path must match exactly; everything else is OpenIddict's exact match.
/// </summary>
public sealed class LoopbackRedirectApplicationManager<TApplication>(
    IOpenIddictApplicationCache<TApplication> cache,
    ILogger<OpenIddictApplicationManager<TApplication>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictApplicationStore<TApplication> store)
    : OpenIddictApplicationManager<TApplication>(cache, logger, options, store) where TApplication : class
{
    public override async ValueTask<bool> ValidateRedirectUriAsync(TApplication application, string uri, CancellationToken cancellationToken = default)
    {
        if (await base.ValidateRedirectUriAsync(application, uri, cancellationToken)) return true;
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var requested) || !IsLoopbackHttp(requested)
            || requested.Query.Length > 0 || requested.Fragment.Length > 0)
            return false;
        foreach (var candidate in await GetRedirectUrisAsync(application, cancellationToken))
        {
            if (Uri.TryCreate(candidate, UriKind.Absolute, out var registered) && IsLoopbackHttp(registered) && registered.IsDefaultPort
                && string.Equals(registered.Host, requested.Host, StringComparison.OrdinalIgnoreCase)
                && string.Equals(registered.AbsolutePath, requested.AbsolutePath, StringComparison.Ordinal))
                return true;
        }
        return false;
    }

    private static bool IsLoopbackHttp(Uri uri) =>
        uri.Scheme == Uri.UriSchemeHttp && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
}
