using Microsoft.Extensions.Logging;

namespace ReleaseGateway.Identity;

// Log lines carry user ids and client ids, never e-mail addresses, passwords, codes or tokens.
internal static partial class IdentityLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "User {UserId} signed in with {Method}")]
    public static partial void SignedIn(this ILogger logger, Guid userId, string method);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Sign-in failed for user {UserId}: {Reason} ({FailedAttempts} consecutive failures)")]
    public static partial void SignInFailed(this ILogger logger, Guid userId, string reason, int failedAttempts);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Sign-in failed for an unknown account")]
    public static partial void SignInFailedUnknownAccount(this ILogger logger);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "User {UserId} locked out until {LockedUntil:O}")]
    public static partial void LockedOut(this ILogger logger, Guid userId, DateTimeOffset lockedUntil);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Token issued to service client {ClientId} for scopes {Scopes}")]
    public static partial void TokenIssuedToClient(this ILogger logger, string clientId, string scopes);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "Token request refused for user {UserId}: {Reason}")]
    public static partial void TokenRefused(this ILogger logger, string userId, string reason);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Information, Message = "Signing tokens with key {FileName} from the data folder")]
    public static partial void SigningWith(this ILogger logger, string fileName);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Information, Message = "User {UserId} approved a device sign-in for client {ClientId}")]
    public static partial void DeviceApproved(this ILogger logger, Guid userId, string clientId);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "Sign-ins for user {UserId} from one source address wait until {Until:O} after repeated failures")]
    public static partial void SignInThrottled(this ILogger logger, Guid userId, DateTimeOffset until);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Warning, Message = "Rate limit hit on {Path}")]
    public static partial void RateLimited(this ILogger logger, string path);
}
