using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.EventStore;
using ReleaseGateway.Requests;
using ReleaseGateway.Requests.Committees;
using ReleaseGateway.Requests.Datasets;

namespace ReleaseGateway.Releases.Budget;

internal static class BudgetEndpoints
{
    public static void Map(IEndpointRouteBuilder app) => app.MapGet("/datasets/{id:guid}/budget", Handle)
        .RequireAuthorization(AuthPolicies.Authenticated)
        .AddEndpointFilter<RequestsProblemFilter>()
        .WithTags("Budget")
        .WithName("GetBudgetLedger")
        .WithSummary("The dataset's privacy budget ledger: cap, spent, reserved, remaining ε and every release that spent it (stewards, committee, compliance)")
        .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<BudgetLedgerView>> Handle(Guid id, HttpContext http, BudgetLedgerViews ledgers, IEventStore store, CancellationToken ct)
    {
        var caller = http.GetActor();
        if (!BudgetLedgerView.MayRead(caller.Roles))
            throw new RequestRefusedException(RequestErrors.RoleRequired(
                "The budget ledger is for data stewards, committee members and compliance officers."));
        var dataset = await store.LoadAsync<DatasetDetails>(id, ct);
        // A member of another committee learns nothing of this dataset's ledger: the same answer as for no dataset (ADR 0058).
        if (dataset is null || !BudgetLedgerView.MayRead(new Actor(caller.Id, caller.Roles), dataset, await CommitteeRoster.LoadAsync(store, ct)))
            throw new RequestRefusedException(RequestErrors.DatasetNotFound(id.ToString()));
        return TypedResults.Ok(await ledgers.GetAsync(dataset, ct));
    }
}
