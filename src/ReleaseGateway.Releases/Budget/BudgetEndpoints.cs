using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Requests;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Releases.Budget;

internal static class BudgetEndpoints
{
    private static readonly string[] Readers = [WorkflowRoles.DataSteward, WorkflowRoles.ComplianceOfficer, WorkflowRoles.CommitteeMember];

    public static void Map(IEndpointRouteBuilder app) => app.MapGet("/datasets/{id:guid}/budget", Handle)
        .RequireAuthorization(AuthPolicies.Authenticated)
        .AddEndpointFilter<RequestsProblemFilter>()
        .WithTags("Budget")
        .WithName("GetBudgetLedger")
        .WithSummary("The dataset's privacy budget ledger: cap, spent, reserved, remaining ε and every release that spent it (stewards, committee, compliance)")
        .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<BudgetLedgerView>> Handle(Guid id, HttpContext http, IEventStore store, PolicyCatalog policies, CancellationToken ct)
    {
        var actor = http.GetActor();
        if (!Readers.Any(actor.IsInRole))
            throw new RequestRefusedException(new RequestError("RG2002", 403, "Role required",
                "The budget ledger is for data stewards, committee members and compliance officers."));
        var dataset = await store.LoadAsync<DatasetDetails>(id, ct) ?? throw new RequestRefusedException(RequestErrors.DatasetNotFound(id.ToString()));
        var events = await store.FetchStreamAsync(PrivacyBudgetLedger.StreamIdFor(id), ct);
        return TypedResults.Ok(BudgetLedgerView.Build(id, BudgetCap.Of(policies.For(dataset.Name)), events));
    }
}
