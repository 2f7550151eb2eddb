using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using ReleaseGateway.EventStore.Blobs;

namespace ReleaseGateway.Identity.Keys;

/// <summary>A token key file: <c>Loaded</c> while it still validates tokens, <c>Current</c> when this process signs (or encrypts) with it.</summary>
public sealed record TokenKeyState(bool Signing, string Name, DateTimeOffset CreatedAt, bool Loaded, bool Current);

/// <summary>A Data Protection key (sign-in cookies, antiforgery tokens); <c>Current</c> when new cookies are protected with it.</summary>
public sealed record DataProtectionKeyState(Guid Id, DateTimeOffset CreatedAt, DateTimeOffset ActivatesAt, DateTimeOffset ExpiresAt, bool Revoked, bool Current);

/// <summary>Both key rings as an administrator checks them: ages, which key is in use, when the next rotation is due.</summary>
public sealed record KeyRotationReport(
    TimeSpan RotationPeriod, IReadOnlyList<TokenKeyState> TokenKeys, DateTimeOffset? NextTokenRotation,
    IReadOnlyList<DataProtectionKeyState> DataProtectionKeys, DateTimeOffset? NextDataProtectionRotation, bool SharedStorage, DateTimeOffset Now);

/// <summary>
/// Reads the token key ring (ADR 0011, 0041) and the Data Protection key ring (ADR 0050) without changing either: the
/// keys in use are the ones this process loaded at start (token keys rotate only at a start after the period ends).
/// </summary>
public sealed class KeyRotationStatus(IdentitySettings settings, GatewayStorage storage, IKeyManager dataProtectionKeys,
    IOptionsMonitor<OpenIddictServerOptions> server, TimeProvider time)
{
    // ASP.NET Core makes the next Data Protection key this long before the current one expires.
    private static readonly TimeSpan DataProtectionLead = TimeSpan.FromDays(2);

    public KeyRotationReport Read()
    {
        var now = time.GetUtcNow();
        var options = server.CurrentValue;
        var signingNow = options.SigningCredentials.FirstOrDefault()?.Key.KeyId;
        var encryptingNow = options.EncryptionCredentials.FirstOrDefault()?.Key.KeyId;
        var loaded = options.SigningCredentials.Select(c => c.Key.KeyId).Concat(options.EncryptionCredentials.Select(c => c.Key.KeyId))
            .ToHashSet(StringComparer.Ordinal);
        var files = storage.Shared
            ? KeyRing.Describe(storage.Keys, "keys")
            : Directory.Exists(settings.KeysDirectory) ? KeyRing.Describe(new KeyMaterial(new FolderBlobStore(settings.KeysDirectory), null), "") : [];
        var tokenKeys = files.Select(f =>
        {
            var id = Path.GetFileNameWithoutExtension(f.FileName);
            return new TokenKeyState(f.Signing, f.FileName, f.CreatedAt, loaded.Contains(id), id == (f.Signing ? signingNow : encryptingNow));
        }).ToList();
        var newestSigning = tokenKeys.FirstOrDefault(k => k.Signing);

        var all = dataProtectionKeys.GetAllKeys();
        var current = all.Where(k => !k.IsRevoked && k.ActivationDate <= now && k.ExpirationDate > now).MaxBy(k => k.ActivationDate);
        var dpKeys = all.OrderByDescending(k => k.CreationDate)
            .Select(k => new DataProtectionKeyState(k.KeyId, k.CreationDate, k.ActivationDate, k.ExpirationDate, k.IsRevoked, k.KeyId == current?.KeyId))
            .ToList();
        var newestExpiry = all.Where(k => !k.IsRevoked).Select(k => (DateTimeOffset?)k.ExpirationDate).Max();
        return new KeyRotationReport(settings.KeyRotationPeriod, tokenKeys, newestSigning?.CreatedAt + settings.KeyRotationPeriod,
            dpKeys, newestExpiry - DataProtectionLead, storage.Shared, now);
    }
}
