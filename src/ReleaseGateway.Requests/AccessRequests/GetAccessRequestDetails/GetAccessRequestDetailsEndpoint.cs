using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;

internal static class GetAccessRequestDetailsEndpoint
{
    public static RouteHandlerBuilder Map(RouteGroupBuilder requests) => requests
        .MapGet("/{id:guid}", Handle)
        .RequireAuthorization(AuthPolicies.Authenticated)
        .WithName("GetAccessRequestDetails")
        .WithSummary("A request's terms, state, current votes and timeline")
        .WithDescription("Visible to its requester, committee members, data stewards and compliance officers; others get 404.");

    private static async Task<Ok<AccessRequestDetails>> Handle(Guid id, HttpContext http, IEventStore store, CancellationToken ct)
    {
        var actor = http.ToActor();
        var details = await store.LoadAsync<AccessRequestDetails>(id, ct);
        if (details is null || !MaySee(actor, details)) throw new RequestRefusedException(RequestErrors.RequestNotFound(id));
        http.Response.Headers.ETag = $"\"{details.Version}\"";
        return TypedResults.Ok(SeesCommittee(actor) ? details : ForRequester(details));
    }

    private static bool SeesCommittee(Actor actor) =>
        actor.IsIn(WorkflowRoles.CommitteeMember) || actor.IsIn(WorkflowRoles.ComplianceOfficer) || actor.IsIn(WorkflowRoles.DataSteward);

    /// <summary>
    /// The requester sees every decision and its reasons but not which member voted how or declared a
    /// conflict: committee members decide independently of the applicant.
    /// </summary>
    private static AccessRequestDetails ForRequester(AccessRequestDetails d) => d with
    {
        CurrentVotes = new Dictionary<string, string>(),
        Recused = [],
        Timeline = d.Timeline.Select(e => e.Event is nameof(CommitteeVoteCast) or nameof(ConflictOfInterestDeclared) or nameof(AccessRequestApproved)
            or nameof(AccessRequestRejected) ? e with { By = "committee" } : e).ToList(),
    };

    internal static bool MaySee(Actor actor, AccessRequestDetails details) =>
        actor.Id == details.RequesterId || actor.IsIn(WorkflowRoles.CommitteeMember) || actor.IsIn(WorkflowRoles.ComplianceOfficer) ||
        actor.IsIn(WorkflowRoles.DataSteward);
}
