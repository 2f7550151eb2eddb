using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Audit;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Identity.Data;
using ReleaseGateway.Problems;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace ReleaseGateway.Identity.Users;

/// <summary>A refused administrative change, with the stable error code.</summary>
public sealed class UserAdministrationException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>A new user; <c>OneTimePassword</c> is the generated password when none was given, shown once and never stored in clear.</summary>
public sealed record CreatedUser(Guid Id, string? OneTimePassword);

public sealed record UserSummary(
    Guid Id, string Email, IReadOnlyList<string> Roles, bool TwoFactorEnabled, bool MustChangePassword,
    DateTimeOffset? LockedUntil, DateTimeOffset CreatedAt);

/// <summary>A new service client; the secret is shown once and only its hash is stored.</summary>
public sealed record RegisteredClient(Guid ApplicationId, string ClientId, string ClientSecret);

/// <summary>
/// Creating users and service clients and changing roles: the one code path behind <c>rgw users</c>,
/// <c>rgw clients</c> and the admin API, so every change is audited the same way.
/// </summary>
public sealed class UserAdministration(
    UserManager<GatewayUser> users,
    IOpenIddictApplicationManager applications,
    IdentityAuditLog audit,
    TimeProvider time)
{
    /// <summary>Application property holding a service client's roles (JSON array of role names).</summary>
    internal const string ClientRolesProperty = "rgw_roles";

    private const string PasswordAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    public async Task<CreatedUser> CreateUserAsync(string email, IReadOnlyCollection<string> roles, string? password, EventMetadata actor,
        CancellationToken cancellationToken = default)
    {
        var normalizedRoles = NormalizeRoles(roles);
        if (await users.FindByEmailAsync(email) is not null)
            throw new UserAdministrationException(ErrorCodes.UserAlreadyExists, "A user with this e-mail address already exists.");

        var oneTimePassword = password is null ? RandomNumberGenerator.GetString(PasswordAlphabet, 20) : null;
        var user = new GatewayUser
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()),
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            LockoutEnabled = true,
            MustChangePassword = oneTimePassword is not null,
            CreatedAt = time.GetUtcNow(),
        };
        Check(await users.CreateAsync(user, password ?? oneTimePassword!));
        Check(await users.AddToRolesAsync(user, normalizedRoles));
        await audit.RecordAsync(user.Id, actor, new UserCreated(user.Id, normalizedRoles, user.MustChangePassword, time.GetUtcNow()), cancellationToken);
        return new CreatedUser(user.Id, oneTimePassword);
    }

    public async Task<IReadOnlyList<UserSummary>> ListUsersAsync(CancellationToken cancellationToken = default)
    {
        var all = await users.Users.OrderBy(u => u.Email).ToListAsync(cancellationToken);
        var summaries = new List<UserSummary>(all.Count);
        foreach (var user in all)
        {
            var roles = await users.GetRolesAsync(user);
            summaries.Add(new UserSummary(user.Id, user.Email ?? "", [.. roles.Order(StringComparer.Ordinal)], user.TwoFactorEnabled,
                user.MustChangePassword, user.LockoutEnd > time.GetUtcNow() ? user.LockoutEnd : null, user.CreatedAt));
        }
        return summaries;
    }

    public async Task GrantRoleAsync(string email, string role, EventMetadata actor, CancellationToken cancellationToken = default)
    {
        var user = await FindAsync(email);
        var normalized = NormalizeRoles([role])[0];
        if (await users.IsInRoleAsync(user, normalized)) return;
        Check(await users.AddToRoleAsync(user, normalized));
        // A new security stamp makes refresh tokens issued before the change fail, so old role sets do not linger.
        Check(await users.UpdateSecurityStampAsync(user));
        await audit.RecordAsync(user.Id, actor, new UserRoleGranted(user.Id, normalized, time.GetUtcNow()), cancellationToken);
    }

    public async Task RevokeRoleAsync(string email, string role, EventMetadata actor, CancellationToken cancellationToken = default)
    {
        var user = await FindAsync(email);
        var normalized = NormalizeRoles([role])[0];
        if (!await users.IsInRoleAsync(user, normalized)) return;
        Check(await users.RemoveFromRoleAsync(user, normalized));
        Check(await users.UpdateSecurityStampAsync(user));
        await audit.RecordAsync(user.Id, actor, new UserRoleRevoked(user.Id, normalized, time.GetUtcNow()), cancellationToken);
    }

    /// <summary>Turns on the TOTP second factor with a fresh secret; returns the <c>otpauth://</c> URI to enrol an authenticator app (shown once).</summary>
    public async Task<string> EnableTotpAsync(string email, EventMetadata actor, CancellationToken cancellationToken = default)
    {
        var user = await FindAsync(email);
        Check(await users.ResetAuthenticatorKeyAsync(user));
        var key = await users.GetAuthenticatorKeyAsync(user) ?? throw new InvalidOperationException("No authenticator key after reset.");
        Check(await users.SetTwoFactorEnabledAsync(user, true));
        await audit.RecordAsync(user.Id, actor, new UserSecondFactorEnabled(user.Id, time.GetUtcNow()), cancellationToken);
        return $"otpauth://totp/ReleaseGateway:{Uri.EscapeDataString(email)}?secret={key}&issuer=ReleaseGateway&digits=6";
    }

    /// <summary>Registers a confidential client for the client-credentials flow, acting in <paramref name="roles"/>.</summary>
    public async Task<RegisteredClient> RegisterServiceClientAsync(string displayName, IReadOnlyCollection<string> roles, EventMetadata actor,
        CancellationToken cancellationToken = default)
    {
        var normalizedRoles = NormalizeRoles(roles);
        var clientId = "svc-" + RandomNumberGenerator.GetHexString(16, lowercase: true);
        var secret = Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = secret,
            ClientType = ClientTypes.Confidential,
            DisplayName = displayName,
            Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials, Permissions.Prefixes.Scope + GatewayScopes.Api },
        };
        descriptor.Properties[ClientRolesProperty] = JsonSerializer.SerializeToElement(normalizedRoles);
        var application = await applications.CreateAsync(descriptor, cancellationToken);
        var applicationId = Guid.Parse(await applications.GetIdAsync(application, cancellationToken)
            ?? throw new InvalidOperationException("The new application has no id."));
        await audit.RecordAsync(applicationId, actor, new ServiceClientRegistered(applicationId, clientId, normalizedRoles, time.GetUtcNow()), cancellationToken);
        return new RegisteredClient(applicationId, clientId, secret);
    }

    internal static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private async Task<GatewayUser> FindAsync(string email) =>
        await users.FindByEmailAsync(email) ?? throw new UserAdministrationException(ErrorCodes.NotFound, "No user has this e-mail address.");

    private static string[] NormalizeRoles(IReadOnlyCollection<string> roles)
    {
        if (roles.Count == 0) throw new UserAdministrationException(ErrorCodes.UnknownRole, "At least one role is required.");
        return [.. roles.Select(r => Roles.Normalize(r)
            ?? throw new UserAdministrationException(ErrorCodes.UnknownRole, $"Unknown role '{r}'. Roles: {string.Join(", ", Roles.All)}.")).Distinct()];
    }

    private static void Check(IdentityResult result)
    {
        if (result.Succeeded) return;
        var code = result.Errors.Any(e => e.Code.StartsWith("Password", StringComparison.Ordinal)) ? ErrorCodes.PasswordRejected : ErrorCodes.ValidationFailed;
        throw new UserAdministrationException(code, string.Join(" ", result.Errors.Select(e => e.Description)));
    }
}
