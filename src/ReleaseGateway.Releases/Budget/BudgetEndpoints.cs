using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Requests;

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

    private static async Task<Ok<BudgetLedgerView>> Handle(Guid id, HttpContext http, BudgetLedgerViews ledgers, CancellationToken ct)
    {
        if (!BudgetLedgerView.MayRead(http.GetActor().Roles))
            throw new RequestRefusedException(RequestErrors.RoleRequired(
                "The budget ledger is for data stewards, committee members and compliance officers."));
        return TypedResults.Ok(await ledgers.GetAsync(id, ct));
    }
}
