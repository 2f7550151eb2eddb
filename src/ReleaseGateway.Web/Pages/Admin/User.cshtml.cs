using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using ReleaseGateway.Identity;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Identity.Users;
using ReleaseGateway.Web.Admin;
using ReleaseGateway.Web.Authorization;
using ReleaseGateway.Web.Infrastructure;

namespace ReleaseGateway.Web.Pages.Admin;

/// <summary>
/// One account: grant or revoke roles, disable or enable, issue a password-reset link. Each button runs the command
/// <c>rgw users</c> runs (<see cref="UserAdministration"/>), so the separation-of-duties checks and the events are theirs;
/// a refusal is shown with its code and what to do instead, and changes nothing.
/// </summary>
[Authorize(Policy = WebPolicies.Admin)]
public sealed class UserModel(UserAdministration administration, IdentitySettings settings) : GatewayPageModel
{
    public UserSummary Account { get; private set; } = null!;

    /// <summary>The administrator's own account: they change none of it here (RG1015).</summary>
    public bool IsSelf { get; private set; }

    /// <summary>What the last button did, in words.</summary>
    public string? Done { get; private set; }

    /// <summary>A reset link just issued, shown on this response only.</summary>
    public ResetLink? Link { get; private set; }

    public Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => ShowAsync(id, ct);

    public Task<IActionResult> OnPostGrantAsync(Guid id, string role, CancellationToken ct) =>
        ChangeAsync(id, email => administration.GrantRoleAsync(email, role, Metadata, ct), $"Granted {Display.Words(role)}.", ct);

    public Task<IActionResult> OnPostRevokeAsync(Guid id, string role, CancellationToken ct) =>
        ChangeAsync(id, email => administration.RevokeRoleAsync(email, role, Metadata, ct), $"Revoked {Display.Words(role)}.", ct);

    public Task<IActionResult> OnPostDisableAsync(Guid id, CancellationToken ct) =>
        ChangeAsync(id, email => administration.DisableAsync(email, Metadata, ct), "The account is disabled; its sessions and tokens have ended.", ct);

    public Task<IActionResult> OnPostEnableAsync(Guid id, CancellationToken ct) =>
        ChangeAsync(id, email => administration.EnableAsync(email, Metadata, ct), "The account is enabled again.", ct);

    public Task<IActionResult> OnPostResetLinkAsync(Guid id, CancellationToken ct) =>
        ChangeAsync(id, async email => Link = await administration.IssueResetLinkAsync(email,
            UsersEndpoints.GatewayAddress(HttpContext, settings), Metadata, ct), null, ct);

    private ReleaseGateway.EventStore.EventMetadata Metadata => HttpContext.GetEventMetadata(Roles.Administrator);

    private async Task<IActionResult> ChangeAsync(Guid id, Func<string, Task> change, string? done, CancellationToken ct)
    {
        if (await FindAsync(id, ct) is not { } account) return NotFound();
        if (await TryAsync(() => IdentityRefusals.Run(() => change(account.Email)), "")) Done = done;
        return await ShowAsync(id, ct);
    }

    private async Task<IActionResult> ShowAsync(Guid id, CancellationToken ct)
    {
        if (await FindAsync(id, ct) is not { } account) return NotFound();
        Account = account;
        IsSelf = Guid.TryParse(Actor.Id, out var me) && me == id;
        return Page();
    }

    private Task<UserSummary?> FindAsync(Guid id, CancellationToken ct) => administration.FindUserAsync(id, ct);

    /// <summary>
    /// Why a grant may need a second administrator (issue 15): it would let an administrator hold a workflow role. Shown
    /// beside the button; the command decides.
    /// </summary>
    public bool NeedsSecondAdministrator(string role) =>
        role == Roles.Administrator ? Account.Roles.Any(Roles.IsWorkflowRole)
        : Roles.IsWorkflowRole(role) && Account.Roles.Contains(Roles.Administrator);
}
