using RoleNames = ReleaseGateway.Identity.Authorization.Roles;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages;

/// <summary>The start page: what the signed-in user can do here, by role.</summary>
public sealed class IndexModel : GatewayPageModel
{
    public IReadOnlySet<string> Roles { get; private set; } = new HashSet<string>();

    public List<(string Title, string Path, string Text)> Tasks { get; } = [];

    public void OnGet()
    {
        Roles = Actor.Roles;
        if (Actor.IsIn(RoleNames.Researcher))
        {
            Tasks.Add(("My requests", "/ui/requests", "follow your requests, withdraw one, or resubmit after changes were asked for"));
            Tasks.Add(("New request", "/ui/requests/new", "ask for a synthetic release of a dataset"));
        }
        if (Actor.IsIn(RoleNames.CommitteeMember))
            Tasks.Add(("Awaiting my decision", "/ui/committee", "requests you can vote on now"));
        if (Actor.IsIn(RoleNames.DataSteward))
        {
            Tasks.Add(("Screening", "/ui/screening", "new requests to accept for review or send back"));
            Tasks.Add(("Register a dataset", "/ui/datasets/register", "describe a source table and upload it"));
        }
        if (Actor.IsIn(RoleNames.ComplianceOfficer))
            Tasks.Add(("Awaiting sign-off", "/ui/sign-off", "releases waiting for the compliance key"));
        if (Actor.IsIn(RoleNames.ComplianceOfficer) || Actor.IsIn(RoleNames.Administrator))
            Tasks.Add(("Audit trail", "/ui/audit", "browse, verify and export the hash-chained audit log"));
        if (Actor.IsIn(RoleNames.Researcher) || Actor.IsIn(RoleNames.CommitteeMember) || Actor.IsIn(RoleNames.ComplianceOfficer) || Actor.IsIn(RoleNames.DataSteward))
            Tasks.Add(("Releases", "/ui/releases", "release attempts: progress, files to download, manifests, expiry"));
        if (Actor.IsIn(RoleNames.CommitteeMember) || Actor.IsIn(RoleNames.ComplianceOfficer) || Actor.IsIn(RoleNames.DataSteward))
        {
            Tasks.Add(("Evaluation reports", "/ui/evaluations", "every evaluated release attempt with its gates and full report"));
            Tasks.Add(("Budget ledger", "/ui/budget", "each dataset's privacy budget over time and the releases that spent it"));
        }
        if (Actor.IsIn(RoleNames.DataSteward) || Actor.IsIn(RoleNames.ComplianceOfficer))
            Tasks.Add(("Jobs", "/ui/jobs", "what the release pipeline is working on"));
        Tasks.Add(("Datasets", "/ui/datasets", "what each dataset holds and what its policy allows"));
    }
}
