using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FluentValidation;
using Microsoft.AspNetCore.Identity;
using ReleaseGateway.Identity.Data;

namespace ReleaseGateway.Identity.Users;

/// <summary>Sends a message to a person's own address; registered only where SMTP is configured (ADR 0049, 0053).</summary>
public interface IAccountMail
{
    Task SendAsync(string address, string subject, string body, CancellationToken cancellationToken);
}

/// <summary>
/// A one-time password-reset link (ADR 0053): shown to the administrator once, e-mailed to the user when mail is
/// configured. <paramref name="Emailed"/> is false when it was not sent (no mail, or the mail server refused it).
/// </summary>
public sealed record ResetLink(Guid UserId, string Email, Uri Link, DateTimeOffset ExpiresAt, bool Emailed);

/// <summary>A person choosing a new password through their link.</summary>
public sealed record RedeemResetLink(Guid UserId, string Code, string NewPassword);

public sealed class RedeemResetLinkValidator : AbstractValidator<RedeemResetLink>
{
    public RedeemResetLinkValidator()
    {
        RuleFor(c => c.Code).NotEmpty().MaximumLength(100).WithMessage("The link is incomplete: open it exactly as you received it.");
        RuleFor(c => c.NewPassword).NotEmpty().WithMessage("Type a new password.")
            .MinimumLength(12).WithMessage("The new password needs at least 12 characters.")
            .MaximumLength(1000);
    }
}

/// <summary>
/// Where a reset link's secret lives: a row of the identity store's user tokens holding the expiry and the SHA-256 of the
/// secret, never the secret itself. One per user: a new link replaces the last; using it deletes it.
/// </summary>
internal static class ResetLinkTokens
{
    public const string Provider = "ReleaseGateway";
    public const string Name = "PasswordResetLink";
    public const string Path = "/account/reset";

    public static (string Code, string Stored) Create(DateTimeOffset expiresAt)
    {
        var code = UserAdministration.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        return (code, $"{expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}:{Hash(code)}");
    }

    /// <summary>True when <paramref name="code"/> matches what is stored and the link has not expired.</summary>
    public static bool Matches(string? stored, string code, DateTimeOffset now)
    {
        if (stored?.Split(':') is not [var expires, var hash]
            || !long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || DateTimeOffset.FromUnixTimeSeconds(seconds) <= now)
            return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(hash), Encoding.ASCII.GetBytes(Hash(code)));
    }

    public static Uri Link(Uri gateway, Guid userId, string code) =>
        new(gateway, $"{Path}?user={userId:N}&code={Uri.EscapeDataString(code)}");

    public static Task<string?> ReadAsync(UserManager<GatewayUser> users, GatewayUser user) => users.GetAuthenticationTokenAsync(user, Provider, Name);

    private static string Hash(string code) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code)));
}
