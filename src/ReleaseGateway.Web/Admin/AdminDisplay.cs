using ReleaseGateway.Identity.Users;

namespace ReleaseGateway.Web.Admin;

public static class AdminDisplay
{
    /// <summary>An account's state in words, the most restrictive first.</summary>
    public static string State(UserSummary user) =>
        user.Disabled ? "disabled"
        : user.LockedUntil is { } until ? $"locked until {Infrastructure.Display.Time(until)}"
        : user.MustChangePassword ? "one-time password not yet changed"
        : "active";
}
