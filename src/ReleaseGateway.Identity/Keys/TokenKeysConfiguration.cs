using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using ReleaseGateway.EventStore.Blobs;

namespace ReleaseGateway.Identity.Keys;

/// <summary>Loads (or generates) the key ring when the token server's options are first built.</summary>
internal sealed class TokenKeysConfiguration(IdentitySettings settings, GatewayStorage storage, TimeProvider time, ILogger<TokenKeysConfiguration> logger)
    : IConfigureOptions<OpenIddictServerOptions>
{
    public void Configure(OpenIddictServerOptions options)
    {
        var ring = storage.Shared
            ? KeyRing.LoadOrCreate(storage.Keys, "keys", settings.KeyRotationPeriod, time.GetUtcNow())
            : KeyRing.LoadOrCreate(settings.KeysDirectory, settings.KeyRotationPeriod, time.GetUtcNow());
        logger.SigningWith(ring.Signing[0].FileName);
        foreach (var key in ring.Signing)
            options.SigningCredentials.Add(new SigningCredentials(key.Key, SecurityAlgorithms.RsaSha256));
        foreach (var key in ring.Encryption)
            options.EncryptionCredentials.Add(new EncryptingCredentials(key.Key, SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512));
    }
}
