using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Requests.Committees;

/// <summary>
/// A committee as its reader may see it. Staff (committee members, stewards, compliance officers, administrators) see who
/// sits on it; researchers see its name, rules and size, never people (issue 15, row 8).
/// </summary>
public sealed record CommitteeView(Guid Id, string Name, string Description, string Quorum, string Recusal, int MemberCount,
    IReadOnlyList<CommitteeMember>? Members, long Version)
{
    public static CommitteeView Of(CommitteeDetails c, Actor reader) => new(c.Id, c.Name, c.Description,
        c.Quorum?.ToString() ?? "the workflow's", c.Recusal, c.Members.Count, SeesMembers(reader) ? c.Members : null, c.Version);

    public static bool SeesMembers(Actor reader) => reader.IsIn(WorkflowRoles.CommitteeMember) || reader.IsIn(WorkflowRoles.DataSteward) ||
        reader.IsIn(WorkflowRoles.ComplianceOfficer) || reader.IsIn(WorkflowRoles.Administrator);
}

/// <param name="Chair">Whether the member chairs the committee (chairs change its members, besides administrators).</param>
public sealed record CommitteeMemberBody(string MemberId, bool Chair = false);

internal static class CommitteeEndpoints
{
    public static void Map(RouteGroupBuilder committees)
    {
        committees.MapPost("/", Form).RequireAuthorization(AuthPolicies.Admin)
            .WithName("FormCommittee")
            .WithSummary("Form a data-access committee: name, description, optional own quorum (approvals/rejections or majority) and recusal rule");
        committees.MapGet("/", List).RequireAuthorization(AuthPolicies.Authenticated)
            .WithName("ListCommittees").WithSummary("Every committee (members shown to staff only)");
        committees.MapGet("/{idOrName}", Get).RequireAuthorization(AuthPolicies.Authenticated)
            .WithName("GetCommittee").WithSummary("One committee by id or name (members shown to staff only)");
        committees.MapPost("/{id:guid}/members", AddMember).RequireAuthorization(AuthPolicies.Authenticated)
            .WithName("AddCommitteeMember").WithSummary("Add a member, or make a member chair or not (administrators and the committee's chairs)");
        committees.MapDelete("/{id:guid}/members/{memberId}", RemoveMember).RequireAuthorization(AuthPolicies.Authenticated)
            .WithName("RemoveCommitteeMember").WithSummary("Remove a member (administrators and the committee's chairs); refused if the quorum became unreachable");
    }

    private static async Task<Created<CommitteeView>> Form(FormCommittee body, HttpContext http, CommitteeCommands commands, CancellationToken ct)
    {
        var caller = CommandContext.Of(http);
        var committee = await commands.FormAsync(caller, body with { Name = body.Name ?? "", Description = body.Description ?? "" }, ct);
        return TypedResults.Created($"/committees/{committee.Id}", CommitteeView.Of(committee, caller.Actor));
    }

    private static async Task<Ok<IReadOnlyList<CommitteeView>>> List(HttpContext http, IEventStore store, CancellationToken ct)
    {
        var reader = http.ToActor();
        return TypedResults.Ok<IReadOnlyList<CommitteeView>>((await store.QueryAsync<CommitteeDetails>(ct)).OrderBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => CommitteeView.Of(c, reader)).ToList());
    }

    private static async Task<Ok<CommitteeView>> Get(string idOrName, HttpContext http, IEventStore store, CancellationToken ct) =>
        TypedResults.Ok(CommitteeView.Of(await CommitteeCommands.FindAsync(store, idOrName, ct), http.ToActor()));

    private static async Task<Ok<CommitteeView>> AddMember(Guid id, CommitteeMemberBody body, HttpContext http, CommitteeCommands commands, CancellationToken ct)
    {
        var caller = CommandContext.Of(http);
        return TypedResults.Ok(CommitteeView.Of(await commands.AddMemberAsync(caller, new ChangeCommitteeMember(id, body.MemberId ?? "", body.Chair), ct), caller.Actor));
    }

    private static async Task<Ok<CommitteeView>> RemoveMember(Guid id, string memberId, HttpContext http, CommitteeCommands commands, CancellationToken ct)
    {
        var caller = CommandContext.Of(http);
        return TypedResults.Ok(CommitteeView.Of(await commands.RemoveMemberAsync(caller, new ChangeCommitteeMember(id, memberId, false), ct), caller.Actor));
    }
}
