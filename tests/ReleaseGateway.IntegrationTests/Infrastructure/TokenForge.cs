using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Identity.Data;
using ReleaseGateway.Identity.Keys;

namespace ReleaseGateway.IntegrationTests.Infrastructure;

/// <summary>
/// Mints access tokens the way the token server does, with the host's own keys read from its data folder or with a
/// stranger's key, so a test can vary one property (expiry, audience, scope, signing key) at a time.
/// A forged token that differs in nothing from a real one must be accepted, or the refusals prove nothing; since every
/// user token is checked against its user's current security stamp (ADR 0029), a spec names a real user and stamp.
/// </summary>
public sealed class TokenForge(GatewayHost host)
{
    public sealed record Spec(
        string Subject,
        string? StampFingerprint,
        string Audience = GatewayScopes.ApiResource,
        string Scope = "openid " + GatewayScopes.Api,
        string[]? Roles = null,
        TimeSpan? ExpiresIn = null,
        bool SignWithStrangerKey = false);

    /// <summary>The spec of a token a real new user holding <paramref name="roles"/> would get.</summary>
    public async Task<Spec> ForNewUserAsync(params string[] roles)
    {
        var user = await host.CreateUserAsync(roles);
        await using var scope = host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<GatewayUser>>();
        var stamp = await users.GetSecurityStampAsync((await users.FindByIdAsync(user.Id.ToString()))!);
        return new Spec(user.Id.ToString(), UserAccessCheck.Fingerprint(stamp), Roles: roles);
    }

    public string Mint(Spec spec)
    {
        var ring = KeyRing.LoadOrCreate(Path.Combine(host.DataDirectory, "keys"), TimeSpan.FromDays(90), DateTimeOffset.UtcNow);
        var signingKey = spec.SignWithStrangerKey
            ? new RsaSecurityKey(RSA.Create(3072)) { KeyId = ring.Signing[0].Key.KeyId }
            : ring.Signing[0].Key;
        var now = DateTime.UtcNow;
        var expires = now + (spec.ExpiresIn ?? TimeSpan.FromMinutes(10));
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = host.BaseAddress.ToString(),
            Audience = spec.Audience,
            IssuedAt = expires < now ? expires - TimeSpan.FromMinutes(15) : now,
            NotBefore = expires < now ? expires - TimeSpan.FromMinutes(15) : now,
            Expires = expires,
            TokenType = "at+jwt",
            Claims = new Dictionary<string, object>
            {
                ["sub"] = spec.Subject,
                ["scope"] = spec.Scope,
                ["role"] = spec.Roles ?? [],
                ["client_id"] = GatewayScopes.CliClientId,
                ["jti"] = Guid.NewGuid().ToString(),
                [GatewayClaims.ActorKind] = GatewayClaims.UserKind,
                [UserAccessCheck.StampClaim] = spec.StampFingerprint ?? "",
            },
            SigningCredentials = new SigningCredentials(signingKey, SecurityAlgorithms.RsaSha256),
            EncryptingCredentials = new EncryptingCredentials(ring.Encryption[0].Key, SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512),
            AdditionalHeaderClaims = new Dictionary<string, object> { ["typ"] = "at+jwt" },
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }
}
