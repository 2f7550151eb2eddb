using FluentValidation;
using Microsoft.AspNetCore.Identity;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Audit;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Identity.Data;
using ReleaseGateway.Problems;

namespace ReleaseGateway.Identity.Users;

/// <summary>What a person sees of their own account.</summary>
public sealed record OwnAccountStatus(Guid Id, string Email, bool TwoFactorEnabled, int RecoveryCodesLeft);

/// <summary>An authenticator app to enrol: the secret as text and as an <c>otpauth://</c> URI (shown to the person only).</summary>
public sealed record TotpEnrolment(string Secret, string Uri);

public sealed record ConfirmSecondFactor(string Code);

public sealed class ConfirmSecondFactorValidator : AbstractValidator<ConfirmSecondFactor>
{
    public ConfirmSecondFactorValidator() =>
        RuleFor(c => c.Code).Must(c => OwnAccount.Digits(c) is { Length: 6 })
            .WithMessage("Type the six digits your authenticator app shows now.");
}

/// <summary>
/// A person's changes to their own account (issue 21): choosing a password through an administrator's reset link, and
/// enrolling an authenticator app with recovery codes. The events are those <c>rgw users</c> records, with the person
/// as actor; nothing here acts on anyone else.
/// </summary>
public sealed class OwnAccount(UserManager<GatewayUser> users, IUserStore<GatewayUser> store, UserAdministration administration,
    IdentityAuditLog audit, UserAccessCheck accessCheck, TimeProvider time)
{
    private static readonly RedeemResetLinkValidator RedeemValidator = new();
    private static readonly ConfirmSecondFactorValidator ConfirmValidator = new();

    public async Task<OwnAccountStatus> StatusAsync(Guid userId)
    {
        var user = await users.FindByIdAsync(userId.ToString()) ?? throw new UserAdministrationException(ErrorCodes.NotFound, "This account no longer exists.");
        return new OwnAccountStatus(user.Id, user.Email ?? "", user.TwoFactorEnabled,
            user.TwoFactorEnabled ? await users.CountRecoveryCodesAsync(user) : 0);
    }

    /// <summary>Whether a reset link would still work, without using it (its page says so before asking for a password).</summary>
    public async Task<bool> IsResetLinkValidAsync(Guid userId, string? code) =>
        !string.IsNullOrEmpty(code) && await users.FindByIdAsync(userId.ToString()) is { } user
        && ResetLinkTokens.Matches(await ResetLinkTokens.ReadAsync(users, user), code, time.GetUtcNow());

    /// <summary>
    /// Sets the password through a reset link (ADR 0053). Refused alike (RG1201) whether the link is unknown, used,
    /// replaced or expired; a password the policy rejects (RG1014) leaves the link usable. The link is deleted before the
    /// password changes, so two submissions of one link cannot both succeed. All sessions and tokens end.
    /// </summary>
    public async Task RedeemResetLinkAsync(RedeemResetLink command, EventMetadata metadata, CancellationToken cancellationToken = default)
    {
        RedeemValidator.ValidateAndThrow(command);
        var user = await users.FindByIdAsync(command.UserId.ToString());
        if (user is null || !ResetLinkTokens.Matches(await ResetLinkTokens.ReadAsync(users, user), command.Code, time.GetUtcNow()))
            throw new UserAdministrationException(ErrorCodes.ResetLinkInvalid,
                "This reset link was used, replaced or has expired. Ask an administrator for a new one.");
        var rejected = new List<string>();
        foreach (var validator in users.PasswordValidators)
            if (await validator.ValidateAsync(users, user, command.NewPassword) is { Succeeded: false } result)
                rejected.AddRange(result.Errors.Select(e => e.Description));
        if (rejected.Count > 0) throw new UserAdministrationException(ErrorCodes.PasswordRejected, string.Join(" ", rejected));

        if (!(await users.RemoveAuthenticationTokenAsync(user, ResetLinkTokens.Provider, ResetLinkTokens.Name)).Succeeded)
            throw new UserAdministrationException(ErrorCodes.ResetLinkInvalid, "This reset link has just been used. Ask an administrator for a new one.");
        var reset = await users.ResetPasswordAsync(user, await users.GeneratePasswordResetTokenAsync(user), command.NewPassword);
        if (!reset.Succeeded) throw new UserAdministrationException(ErrorCodes.PasswordRejected, string.Join(" ", reset.Errors.Select(e => e.Description)));
        user.MustChangePassword = false;
        await users.UpdateAsync(user);
        accessCheck.Invalidate(user.Id);
        await audit.RecordAsync(user.Id, metadata, new UserPasswordResetByLink(user.Id, time.GetUtcNow()), cancellationToken);
    }

    /// <summary>
    /// The secret to enrol an authenticator app with. Kept across reloads until confirmed, and set without renewing the
    /// security stamp: the second factor is off until <see cref="ConfirmTotpAsync"/>, so the secret alone changes nothing.
    /// </summary>
    public async Task<TotpEnrolment> BeginTotpEnrolmentAsync(Guid userId)
    {
        var user = await UserAsync(userId);
        if (user.TwoFactorEnabled)
            throw new UserAdministrationException(ErrorCodes.SecondFactorAlreadyEnabled, "Your authenticator app is already enrolled.");
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            key = users.GenerateNewAuthenticatorKey();
            await ((IUserAuthenticatorKeyStore<GatewayUser>)store).SetAuthenticatorKeyAsync(user, key, CancellationToken.None);
            var updated = await users.UpdateAsync(user);
            if (!updated.Succeeded) throw new InvalidOperationException(string.Join(" ", updated.Errors.Select(e => e.Description)));
        }
        return new TotpEnrolment(key, UserAdministration.TotpUri(user.Email ?? "", key));
    }

    /// <summary>Turns the second factor on once a code from the app matches; returns ten recovery codes, shown once.</summary>
    public async Task<IReadOnlyList<string>> ConfirmTotpAsync(Guid userId, ConfirmSecondFactor command, EventMetadata metadata,
        CancellationToken cancellationToken = default)
    {
        ConfirmValidator.ValidateAndThrow(command);
        var user = await UserAsync(userId);
        if (user.TwoFactorEnabled)
            throw new UserAdministrationException(ErrorCodes.SecondFactorAlreadyEnabled, "Your authenticator app is already enrolled.");
        if (string.IsNullOrEmpty(await users.GetAuthenticatorKeyAsync(user))
            || !await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, Digits(command.Code)!))
            throw new UserAdministrationException(ErrorCodes.EnrolmentCodeWrong,
                "That code does not match the secret on this page. Type the code your app shows now; the second factor stays off until one matches.");
        var enabled = await users.SetTwoFactorEnabledAsync(user, true);
        if (!enabled.Succeeded) throw new InvalidOperationException(string.Join(" ", enabled.Errors.Select(e => e.Description)));
        accessCheck.Invalidate(user.Id);
        await audit.RecordAsync(user.Id, metadata, new UserSecondFactorEnabled(user.Id, time.GetUtcNow()), cancellationToken);
        return await administration.IssueRecoveryCodesAsync(user.Email!, metadata, cancellationToken);
    }

    /// <summary>New recovery codes for oneself (the old ones stop working), as <c>rgw users recovery-codes</c> issues them.</summary>
    public async Task<IReadOnlyList<string>> NewRecoveryCodesAsync(Guid userId, EventMetadata metadata, CancellationToken cancellationToken = default) =>
        await administration.IssueRecoveryCodesAsync((await UserAsync(userId)).Email!, metadata, cancellationToken);

    internal static string? Digits(string? code) => code?.Replace(" ", "", StringComparison.Ordinal) is { Length: 6 } digits && digits.All(char.IsAsciiDigit)
        ? digits
        : null;

    private async Task<GatewayUser> UserAsync(Guid userId) =>
        await users.FindByIdAsync(userId.ToString()) ?? throw new UserAdministrationException(ErrorCodes.NotFound, "This account no longer exists.");
}
