using Microsoft.AspNetCore.Identity;

namespace ReleaseGateway.Identity.Data;

/// <summary>
/// A person who signs in. The id is a version-7 Guid, used as the user's audit stream id and as the token
/// subject, so events never need the e-mail address.
/// </summary>
public sealed class GatewayUser : IdentityUser<Guid>
{
    /// <summary>Set while the account still has the one-time password printed by <c>rgw users add</c>.</summary>
    public bool MustChangePassword { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
