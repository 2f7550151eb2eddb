using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace ReleaseGateway.Api.ServiceDefaults;

/// <summary>
/// The reverse proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> the gateway believes, from
/// <c>ReleaseGateway:ForwardedHeaders:KnownProxies</c> (addresses or CIDR networks). None by default: then the
/// headers are ignored and the client's address is the connection's, which a client cannot forge. Loopback is not
/// trusted implicitly, because every local process (and anything a local process relays) connects from loopback.
/// </summary>
public sealed class TrustedProxies
{
    public const string ConfigurationKey = "ReleaseGateway:ForwardedHeaders:KnownProxies";

    private readonly IReadOnlyList<System.Net.IPNetwork> _networks;

    private TrustedProxies(IReadOnlyList<System.Net.IPNetwork> networks) => _networks = networks;

    public bool Any => _networks.Count > 0;

    /// <summary>Reads the list; an entry that is neither an address nor a network fails start-up with its text.</summary>
    public static TrustedProxies Read(IConfiguration configuration)
    {
        var entries = configuration.GetSection(ConfigurationKey).Get<string[]>() ?? [];
        var networks = new List<System.Net.IPNetwork>();
        foreach (var entry in entries.Select(e => e.Trim()).Where(e => e.Length > 0))
        {
            if (IPAddress.TryParse(entry, out var address))
                networks.Add(new System.Net.IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            else if (System.Net.IPNetwork.TryParse(entry, out var network))
                networks.Add(network);
            else
                throw new InvalidOperationException($"{ConfigurationKey}: '{entry}' is neither an IP address nor a CIDR network.");
        }
        return new TrustedProxies(networks);
    }

    internal void Apply(ForwardedHeadersOptions options)
    {
        options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        // The framework trusts loopback by default; only what is configured counts here.
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var network in _networks) options.KnownIPNetworks.Add(network);
        // One proxy hop: the address the trusted proxy saw is the client's; earlier entries were written by the client.
        options.ForwardLimit = 1;
    }
}
