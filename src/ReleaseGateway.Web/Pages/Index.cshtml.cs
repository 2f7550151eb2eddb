using RoleNames = ReleaseGateway.Identity.Authorization.Roles;
using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.Workflows;
using ReleaseGateway.Web.Inbox;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages;

/// <summary>
/// The home page: what awaits the signed-in person (their inbox, by kind, with counts), a line per role with its next
/// actions, then everything they can do here.
/// </summary>
public sealed class IndexModel(PersonalInbox inbox, IEventStore store, WorkflowCatalog workflows) : GatewayPageModel
{
    public const int Shown = 8;

    public IReadOnlySet<string> Roles { get; private set; } = new HashSet<string>();

    public IReadOnlyList<InboxItem> Awaiting { get; private set; } = [];

    /// <summary>A sentence per role: where things stand, and the next thing to do.</summary>
    public List<(string Role, string Summary, IReadOnlyList<(string Title, string Path)> Actions)> Summaries { get; } = [];

    public List<(string Title, string Path, string Text)> Tasks { get; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var actor = Actor;
        Roles = actor.Roles;
        Awaiting = await inbox.ForAsync(actor, ct);
        int Count(string kind) => Awaiting.Count(i => i.Kind == kind);
        if (Actor.IsIn(RoleNames.Researcher))
        {
            var mine = await AccessRequestQueries.MineAsync(store, actor, ct);
            var ended = workflows.All.Values.SelectMany(w => w.States).Where(s => s.Terminal).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
            var open = mine.Count(r => !ended.Contains(r.State));
            Summaries.Add(("Researcher",
                $"{Plural(mine.Count, "request")} of yours, {open} still open; {Plural(Count("release"), "release")} ready to download" +
                (Count("changes") > 0 ? $"; {Plural(Count("changes"), "request")} sent back for changes." : "."),
                [("New request", "/ui/requests/new"), ("My requests", "/ui/requests"), ("My releases", "/ui/releases")]));
        }
        if (Actor.IsIn(RoleNames.CommitteeMember))
            Summaries.Add(("Committee member", Count("vote") == 0 ? "Nothing awaits your vote." : $"{Plural(Count("vote"), "request")} await{(Count("vote") == 1 ? "s" : "")} your vote.",
                [("Awaiting my decision", "/ui/committee"), ("All requests", "/ui/committee/requests"), ("Evaluation reports", "/ui/evaluations")]));
        if (Actor.IsIn(RoleNames.DataSteward))
            Summaries.Add(("Data steward", Count("screening") == 0 ? "No request awaits screening." : $"{Plural(Count("screening"), "request")} await{(Count("screening") == 1 ? "s" : "")} screening.",
                [("Screening", "/ui/screening"), ("Register a dataset", "/ui/datasets/register"), ("Budget ledger", "/ui/budget")]));
        if (Actor.IsIn(RoleNames.ComplianceOfficer))
            Summaries.Add(("Compliance officer", (Count("sign-off") == 0 ? "No release awaits your sign-off." : $"{Plural(Count("sign-off"), "release")} await{(Count("sign-off") == 1 ? "s" : "")} your sign-off.") +
                " The audit trail shows whether the chain is intact when you open it.",
                [("Audit trail", "/ui/audit"), ("Awaiting sign-off", "/ui/sign-off"), ("Budget ledger", "/ui/budget")]));
        if (Actor.IsIn(RoleNames.Administrator))
            Summaries.Add(("Administrator", "Users, roles, service clients and key rotation are on the administration pages; rgw on the gateway's machine does the same.",
                [("Users and roles", "/ui/admin/users"), ("Service clients", "/ui/admin/clients"), ("Key rotation", "/ui/admin/keys"), ("Audit trail", "/ui/audit"), ("Identity and sign-in (docs/identity.md)", "/docs/identity.md")]));
        AddTasks();
    }

    public static string Plural(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";

    private void AddTasks()
    {
        if (Actor.IsIn(RoleNames.Researcher))
        {
            Tasks.Add(("My requests", "/ui/requests", "follow your requests, withdraw one, or resubmit after changes were asked for"));
            Tasks.Add(("New request", "/ui/requests/new", "ask for a synthetic release of a dataset"));
        }
        if (Actor.IsIn(RoleNames.CommitteeMember))
        {
            Tasks.Add(("Awaiting my decision", "/ui/committee", "requests you can vote on now"));
            Tasks.Add(("All requests", "/ui/committee/requests", "every request by state, open or decided, with its history"));
        }
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
        Tasks.Add(("Change my password", "/account/password?returnUrl=%2Fui", "on the gateway's sign-in pages"));
        Tasks.Add(("My account", "/ui/account", "your password, authenticator app and recovery codes"));
    }
}
