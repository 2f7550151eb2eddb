using ReleaseGateway.Web.Authorization;

namespace ReleaseGateway.Web.Infrastructure;

/// <summary>A place in the main navigation, shown to whoever satisfies any of <paramref name="Policies"/>.</summary>
public sealed record NavItem(string Title, string Path, IReadOnlyList<string> Policies);

public static class Navigation
{
    public static readonly IReadOnlyList<NavItem> Items =
    [
        new("Inbox", "/ui/inbox", [WebPolicies.Authenticated]),
        new("Notifications", "/ui/notifications", [WebPolicies.Authenticated]),
        new("My requests", "/ui/requests", [WebPolicies.Researcher]),
        new("New request", "/ui/requests/new", [WebPolicies.Researcher]),
        new("Awaiting my decision", "/ui/committee", [WebPolicies.Committee]),
        new("All requests", "/ui/committee/requests", [WebPolicies.Committee]),
        new("Screening", "/ui/screening", [WebPolicies.Steward]),
        new("Awaiting sign-off", "/ui/sign-off", [WebPolicies.Compliance]),
        new("Datasets", "/ui/datasets", [WebPolicies.Authenticated]),
        new("Audit trail", "/ui/audit", [WebPolicies.ReadAudit]),
        new("Releases", "/ui/releases", [WebPolicies.Researcher, WebPolicies.Committee, WebPolicies.Compliance, WebPolicies.Steward]),
        new("Evaluation reports", "/ui/evaluations", [WebPolicies.Committee, WebPolicies.Compliance, WebPolicies.Steward]),
        new("Budget ledger", "/ui/budget", [WebPolicies.Steward, WebPolicies.Compliance, WebPolicies.Committee]),
        new("Jobs", "/ui/jobs", [WebPolicies.Steward, WebPolicies.Compliance]),
        new("Administration", "/ui/admin/users", [WebPolicies.Admin]),
        new("My account", "/ui/account", [WebPolicies.Authenticated]),
    ];
}
