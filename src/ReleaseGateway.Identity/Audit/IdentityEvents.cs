namespace ReleaseGateway.Identity.Audit;

// Identity events (ADR 0010). Bodies carry ids, never e-mail addresses, passwords, tokens or secrets: the hash
// chain makes every byte permanent. User events go to the user's stream (stream id = user id); client events to
// the client's stream (stream id = the OpenIddict application id).

public sealed record UserCreated(Guid UserId, IReadOnlyList<string> Roles, bool MustChangePassword, DateTimeOffset CreatedAt);

public sealed record UserRoleGranted(Guid UserId, string Role, DateTimeOffset GrantedAt);

public sealed record UserRoleRevoked(Guid UserId, string Role, DateTimeOffset RevokedAt);

public sealed record UserSignedIn(Guid UserId, string Method, DateTimeOffset SignedInAt);

public sealed record UserSignInFailed(Guid UserId, string Reason, int FailedAttempts, DateTimeOffset FailedAt);

public sealed record UserLockedOut(Guid UserId, DateTimeOffset LockedUntil, DateTimeOffset LockedAt);

/// <summary>Sign-ins to this account from one source address are refused until <paramref name="Until"/> after repeated failures (the <paramref name="Round"/>-th time).</summary>
public sealed record UserSignInThrottled(Guid UserId, int Round, DateTimeOffset Until, DateTimeOffset ThrottledAt);

/// <summary>A sign-in failed for an e-mail address no account has (the address itself is not kept).</summary>
public sealed record UnknownAccountSignInFailed(string Reason, DateTimeOffset FailedAt);

public sealed record UserDisabled(Guid UserId, DateTimeOffset DisabledAt);

public sealed record UserEnabled(Guid UserId, DateTimeOffset EnabledAt);

public sealed record UserPasswordChanged(Guid UserId, DateTimeOffset ChangedAt);

/// <summary>An administrator replaced the user's password with a one-time password, to be changed at the next sign-in.</summary>
public sealed record UserPasswordReset(Guid UserId, DateTimeOffset ResetAt);

/// <summary>An administrator issued a one-time password-reset link (only its hash is stored; the link is never recorded).</summary>
public sealed record UserPasswordResetLinkIssued(Guid UserId, DateTimeOffset ExpiresAt, DateTimeOffset IssuedAt);

/// <summary>The reset link went out by e-mail to the user's address (not recorded here).</summary>
public sealed record UserPasswordResetLinkSent(Guid UserId, DateTimeOffset SentAt);

/// <summary>The user chose a new password through their reset link, which then stopped working.</summary>
public sealed record UserPasswordResetByLink(Guid UserId, DateTimeOffset ResetAt);

public sealed record UserSecondFactorEnabled(Guid UserId, DateTimeOffset EnabledAt);

/// <summary>New one-use recovery codes for the second factor were issued (the old ones no longer work); the codes are not recorded.</summary>
public sealed record UserRecoveryCodesIssued(Guid UserId, int Count, DateTimeOffset IssuedAt);

public sealed record DeviceSignInApproved(Guid UserId, string ClientId, DateTimeOffset ApprovedAt);

public sealed record ServiceClientRegistered(Guid ApplicationId, string ClientId, IReadOnlyList<string> Roles, DateTimeOffset RegisteredAt);

public sealed record TokenIssuedToClient(Guid ApplicationId, string ClientId, IReadOnlyList<string> Scopes, DateTimeOffset IssuedAt);

/// <summary>Methods recorded in <see cref="UserSignedIn"/>.</summary>
public static class SignInMethods
{
    public const string Password = "password";
    public const string PasswordAndTotp = "password+totp";
    public const string PasswordAndRecoveryCode = "password+recovery-code";
}

/// <summary>Reasons recorded in <see cref="UserSignInFailed"/>.</summary>
public static class SignInFailureReasons
{
    public const string WrongPassword = "wrong-password";
    public const string WrongSecondFactor = "wrong-second-factor";
    public const string Locked = "locked";
    public const string NotAllowed = "not-allowed";
    public const string Disabled = "disabled";
    public const string Throttled = "throttled";
    public const string UnknownAccount = "unknown-account";
}
