using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
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

/// <summary>A user as administrators see them; <c>Disabled</c> is an administrator's disablement, <c>LockedUntil</c> any lockout.</summary>
public sealed record UserSummary(
    Guid Id, string Email, IReadOnlyList<string> Roles, bool TwoFactorEnabled, bool MustChangePassword,
    DateTimeOffset? LockedUntil, DateTimeOffset CreatedAt, bool Disabled = false, DateTimeOffset? LastSignInAt = null);

/// <summary>An OpenIddict client as administrators see it: never its secret.</summary>
public sealed record ClientSummary(Guid ApplicationId, string ClientId, string DisplayName, string ClientType, IReadOnlyList<string> Roles,
    IReadOnlyList<string> GrantTypes);

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
    UserAccessCheck accessCheck,
    IdentitySettings settings,
    IEnumerable<IAccountMail> mail,
    ILogger<UserAdministration> logger,
    TimeProvider time)
{
    /// <summary>Application property holding a service client's roles (JSON array of role names).</summary>
    internal const string ClientRolesProperty = "rgw_roles";

    private const string PasswordAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    public async Task<CreatedUser> CreateUserAsync(string email, IReadOnlyCollection<string> roles, string? password, EventMetadata actor,
        CancellationToken cancellationToken = default)
    {
        var normalizedRoles = NormalizeRoles(roles);
        if (normalizedRoles.Contains(Roles.Administrator) && normalizedRoles.Any(Roles.IsWorkflowRole))
            throw new UserAdministrationException(ErrorCodes.SecondAdministratorRequired,
                "An account is created either as an administrator or with workflow roles; another administrator may grant the rest later.");
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
        foreach (var user in all) summaries.Add(await SummaryAsync(user, cancellationToken));
        return summaries;
    }

    /// <summary>One user as <see cref="ListUsersAsync"/> shows them, or null when no user has this id.</summary>
    public async Task<UserSummary?> FindUserAsync(Guid id, CancellationToken cancellationToken = default) =>
        await users.FindByIdAsync(id.ToString()) is { } user ? await SummaryAsync(user, cancellationToken) : null;

    private async Task<UserSummary> SummaryAsync(GatewayUser user, CancellationToken cancellationToken)
    {
        var roles = await users.GetRolesAsync(user);
        return new UserSummary(user.Id, user.Email ?? "", [.. roles.Order(StringComparer.Ordinal)], user.TwoFactorEnabled,
            user.MustChangePassword, user.LockoutEnd > time.GetUtcNow() ? user.LockoutEnd : null, user.CreatedAt,
            user.LockoutEnd == DateTimeOffset.MaxValue, await audit.LastSignInAsync(user.Id, cancellationToken));
    }

    /// <summary>
    /// Grants a role. Refused (issue 15): to oneself (RG1015); and a grant that makes an administrator hold a workflow
    /// role unless it comes from another administrator, a person (not a service client), whose account the receiver
    /// did not create, directly or through accounts they created (RG1016). The local operator (<c>rgw users</c> on the
    /// gateway's machine) has the database in hand anyway; their grants are recorded as theirs.
    /// </summary>
    public async Task GrantRoleAsync(string email, string role, EventMetadata actor, CancellationToken cancellationToken = default)
    {
        var user = await FindAsync(email);
        var normalized = NormalizeRoles([role])[0];
        RefuseOnSelf(user, actor, "grant a role to");
        if (await users.IsInRoleAsync(user, normalized)) return;
        var current = await users.GetRolesAsync(user);
        var makesAdministratorWithWorkflowRole = normalized == Roles.Administrator ? current.Any(Roles.IsWorkflowRole)
            : Roles.IsWorkflowRole(normalized) && current.Contains(Roles.Administrator);
        if (makesAdministratorWithWorkflowRole && !IsLocalOperator(actor))
            await RequireSecondAdministratorAsync(user, actor, cancellationToken);
        Check(await users.AddToRoleAsync(user, normalized));
        await ChangedAsync(user, actor, new UserRoleGranted(user.Id, normalized, time.GetUtcNow()), cancellationToken);
    }

    public async Task RevokeRoleAsync(string email, string role, EventMetadata actor, CancellationToken cancellationToken = default)
    {
        var user = await FindAsync(email);
        var normalized = NormalizeRoles([role])[0];
        if (!await users.IsInRoleAsync(user, normalized)) return;
        Check(await users.RemoveFromRoleAsync(user, normalized));
        await ChangedAsync(user, actor, new UserRoleRevoked(user.Id, normalized, time.GetUtcNow()), cancellationToken);
    }

    /// <summary>Disables the account until <see cref="EnableAsync"/>: no sign-in, and its tokens and web sessions stop working at once.</summary>
    public async Task DisableAsync(string email, EventMetadata actor, CancellationToken cancellationToken = default)
    {
        var user = await FindAsync(email);
        RefuseOnSelf(user, actor, "disable");
        if (user.LockoutEnd == DateTimeOffset.MaxValue) return;
        Check(await users.SetLockoutEnabledAsync(user, true));
        Check(await users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue));
        await ChangedAsync(user, actor, new UserDisabled(user.Id, time.GetUtcNow()), cancellationToken);
    }

    /// <summary>
    /// A forgotten password: replaced by a one-time password (returned, shown once, never stored in clear) that must be
    /// changed at the next sign-in; the user's tokens and web sessions end at once. Nobody resets their own.
    /// </summary>
    public async Task<string> ResetPasswordAsync(string email, EventMetadata actor, CancellationToken cancellationToken = default)
    {
        var user = await FindAsync(email);
        RefuseOnSelf(user, actor, "reset the password of");
        var oneTimePassword = RandomNumberGenerator.GetString(PasswordAlphabet, 20);
        Check(await users.ResetPasswordAsync(user, await users.GeneratePasswordResetTokenAsync(user), oneTimePassword));
        user.MustChangePassword = true;
        Check(await users.UpdateAsync(user));
        await ChangedAsync(user, actor, new UserPasswordReset(user.Id, time.GetUtcNow()), cancellationToken);
        return oneTimePassword;
    }

    /// <summary>
    /// A forgotten password, without a password passing through the administrator's hands: a link that works once and
    /// until <see cref="IdentitySettings.ResetLinkLifetime"/>, replacing any earlier link; only its hash is stored. Sent to
    /// the user's address when mail is configured (after the event is stored, never inside it: the link is a secret),
    /// otherwise the administrator hands it over. The password and sessions stay as they are until the link is used.
    /// </summary>
    public async Task<ResetLink> IssueResetLinkAsync(string email, Uri gateway, EventMetadata actor, CancellationToken cancellationToken = default)
    {
        var user = await FindAsync(email);
        RefuseOnSelf(user, actor, "issue a reset link for");
        var now = time.GetUtcNow();
        var expiresAt = now + settings.ResetLinkLifetime;
        var (code, stored) = ResetLinkTokens.Create(expiresAt);
        Check(await users.SetAuthenticationTokenAsync(user, ResetLinkTokens.Provider, ResetLinkTokens.Name, stored));
        await audit.RecordAsync(user.Id, actor, new UserPasswordResetLinkIssued(user.Id, expiresAt, now), cancellationToken);
        var link = ResetLinkTokens.Link(gateway, user.Id, code);
        var emailed = false;
        if (mail.FirstOrDefault() is { } sender)
        {
            try
            {
                await sender.SendAsync(user.Email!, "Choose a new ReleaseGateway password",
                    $"An administrator of ReleaseGateway issued you a link to choose a new password. It works once, until {expiresAt:yyyy-MM-dd HH:mm} UTC:\n\n{link}\n\nIf you did not ask for it, tell your administrator; your current password keeps working until the link is used.\n",
                    cancellationToken);
                emailed = true;
                await audit.RecordAsync(user.Id, actor, new UserPasswordResetLinkSent(user.Id, time.GetUtcNow()), cancellationToken);
            }
            // The link is stored and shown to the administrator either way: a mail server that is down only means handing it over.
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "The reset link for user {UserId} could not be e-mailed; the administrator hands it over.", user.Id);
            }
        }
        return new ResetLink(user.Id, user.Email!, link, expiresAt, emailed);
    }

    public async Task<IReadOnlyList<ClientSummary>> ListClientsAsync(CancellationToken cancellationToken = default)
    {
        var result = new List<ClientSummary>();
        await foreach (var application in applications.ListAsync(count: null, offset: null, cancellationToken))
        {
            var properties = await applications.GetPropertiesAsync(application, cancellationToken);
            var roles = properties.TryGetValue(ClientRolesProperty, out var value) && value.ValueKind == JsonValueKind.Array
                ? value.EnumerateArray().Select(r => r.GetString() ?? "").ToList()
                : [];
            var permissions = await applications.GetPermissionsAsync(application, cancellationToken);
            result.Add(new ClientSummary(
                Guid.Parse(await applications.GetIdAsync(application, cancellationToken) ?? throw new InvalidOperationException("A client without id.")),
                await applications.GetClientIdAsync(application, cancellationToken) ?? "",
                await applications.GetDisplayNameAsync(application, cancellationToken) ?? "",
                await applications.GetClientTypeAsync(application, cancellationToken) ?? "",
                roles,
                [.. permissions.Where(p => p.StartsWith(Permissions.Prefixes.GrantType, StringComparison.Ordinal))
                    .Select(p => p[Permissions.Prefixes.GrantType.Length..]).Order(StringComparer.Ordinal)]));
        }
        return [.. result.OrderBy(c => c.ClientId, StringComparer.Ordinal)];
    }

    /// <summary>Lifts a disablement or a lockout.</summary>
    public async Task EnableAsync(string email, EventMetadata actor, CancellationToken cancellationToken = default)
    {
        var user = await FindAsync(email);
        RefuseOnSelf(user, actor, "re-enable");
        if (user.LockoutEnd is null || user.LockoutEnd <= time.GetUtcNow()) return;
        Check(await users.SetLockoutEndDateAsync(user, null));
        Check(await users.ResetAccessFailedCountAsync(user));
        await ChangedAsync(user, actor, new UserEnabled(user.Id, time.GetUtcNow()), cancellationToken);
    }

    /// <summary>
    /// After a change to the user: a new security stamp ends their refresh tokens, access tokens and web sessions
    /// (<see cref="UserAccessCheck"/>), this process forgets what it knew of them, and the change is audited.
    /// </summary>
    private async Task ChangedAsync(GatewayUser user, EventMetadata actor, object @event, CancellationToken cancellationToken)
    {
        Check(await users.UpdateSecurityStampAsync(user));
        accessCheck.Invalidate(user.Id);
        await audit.RecordAsync(user.Id, actor, @event, cancellationToken);
    }

    private static void RefuseOnSelf(GatewayUser user, EventMetadata actor, string what)
    {
        if (string.Equals(actor.ActorId, user.Id.ToString(), StringComparison.OrdinalIgnoreCase))
            throw new UserAdministrationException(ErrorCodes.RoleChangeOnSelf, $"Nobody may {what} their own account; ask another administrator.");
    }

    private static bool IsLocalOperator(EventMetadata actor) => actor.ActorRole == LocalOperatorRole;

    /// <summary>The acting role <c>rgw users</c> records for the person at the gateway's machine.</summary>
    public const string LocalOperatorRole = "LocalOperator";

    // How far up "who created whom" a grant is traced; deeper chains of accounts are left to the audit review.
    private const int MaxCreatorChain = 16;

    private async Task RequireSecondAdministratorAsync(GatewayUser receiver, EventMetadata actor, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(actor.ActorId, out var granter) || await users.FindByIdAsync(granter.ToString()) is not { } person
            || !await users.IsInRoleAsync(person, Roles.Administrator))
            throw new UserAdministrationException(ErrorCodes.SecondAdministratorRequired,
                "Only another administrator, signed in as a person (not a service client), may let an administrator hold a workflow role.");
        // An account the receiver created (or one created by such an account) is not a second person.
        var account = granter;
        for (var depth = 0; depth < MaxCreatorChain && await audit.CreatorOfAsync(account, cancellationToken) is { } creator; depth++)
        {
            if (creator == receiver.Id)
                throw new UserAdministrationException(ErrorCodes.SecondAdministratorRequired,
                    "The granting administrator's account was created by the receiver (or by an account the receiver created): that is not a second person.");
            account = creator;
        }
    }

    /// <summary>Turns on the TOTP second factor with a fresh secret; returns the <c>otpauth://</c> URI to enrol an authenticator app (shown once).</summary>
    public async Task<string> EnableTotpAsync(string email, EventMetadata actor, CancellationToken cancellationToken = default)
    {
        var user = await FindAsync(email);
        Check(await users.ResetAuthenticatorKeyAsync(user));
        var key = await users.GetAuthenticatorKeyAsync(user) ?? throw new InvalidOperationException("No authenticator key after reset.");
        Check(await users.SetTwoFactorEnabledAsync(user, true));
        await audit.RecordAsync(user.Id, actor, new UserSecondFactorEnabled(user.Id, time.GetUtcNow()), cancellationToken);
        return TotpUri(email, key);
    }

    /// <summary>The <c>otpauth://</c> URI an authenticator app enrols from (Key Uri Format: issuer, account, base32 secret).</summary>
    public static string TotpUri(string email, string key) =>
        $"otpauth://totp/ReleaseGateway:{Uri.EscapeDataString(email)}?secret={key}&issuer=ReleaseGateway&digits=6";

    /// <summary>
    /// Ten one-use recovery codes for a user with the second factor on, replacing any issued before: a lost phone need
    /// not lock the person out. Returned once; the store keeps only what Identity needs to check them.
    /// </summary>
    public async Task<IReadOnlyList<string>> IssueRecoveryCodesAsync(string email, EventMetadata actor, CancellationToken cancellationToken = default)
    {
        const int count = 10;
        var user = await FindAsync(email);
        if (!await users.GetTwoFactorEnabledAsync(user))
            throw new UserAdministrationException(ErrorCodes.SecondFactorNotEnabled, "Recovery codes are for a second factor; turn it on first (rgw users totp).");
        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, count))?.ToList()
            ?? throw new InvalidOperationException("No recovery codes were generated.");
        await audit.RecordAsync(user.Id, actor, new UserRecoveryCodesIssued(user.Id, codes.Count, time.GetUtcNow()), cancellationToken);
        return codes;
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

    private async Task<GatewayUser> FindAsync(string? email) =>
        string.IsNullOrWhiteSpace(email) ? throw new UserAdministrationException(ErrorCodes.ValidationFailed, "An e-mail address is required.")
        : await users.FindByEmailAsync(email) ?? throw new UserAdministrationException(ErrorCodes.NotFound, "No user has this e-mail address.");

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
