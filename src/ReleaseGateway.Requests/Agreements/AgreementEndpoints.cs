using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.EventStore;

namespace ReleaseGateway.Requests.Agreements;

public sealed record AgreementBody(string? Title, string? Text);

public sealed record AcceptBody(int Number);

internal static class AgreementEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Agreements").AddEndpointFilter<RequestsProblemFilter>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesValidationProblem();
        group.MapPut("/datasets/{id:guid}/agreement", Publish).RequireAuthorization(AuthPolicies.Authenticated)
            .WithName("PublishDataUseAgreement").WithSummary("Publish a new version of the dataset's data-use agreement (its registering steward); requesters accept it again");
        group.MapGet("/datasets/{id:guid}/agreement", Get).RequireAuthorization(AuthPolicies.Authenticated)
            .WithName("GetDataUseAgreement").WithSummary("The dataset's data-use agreement: every version, the current one last");
        group.MapGet("/requests/{id:guid}/agreement", Status).RequireAuthorization(AuthPolicies.Authenticated)
            .WithName("GetRequestAgreement").WithSummary("The request's agreement: the current version and which version the request accepted");
        group.MapPost("/requests/{id:guid}/agreement/accept", Accept).RequireAuthorization(AuthPolicies.Authenticated)
            .WithName("AcceptDataUseAgreement").WithSummary("The requester accepts the current version of the dataset's agreement (before the first download)");
    }

    private static async Task<Ok<DataUseAgreement>> Publish(Guid id, AgreementBody body, HttpContext http, AgreementCommands commands, CancellationToken ct) =>
        TypedResults.Ok(await commands.PublishAsync(CommandContext.Of(http), new PublishDataUseAgreement(id, body.Title ?? "", body.Text ?? ""), ct));

    private static async Task<Ok<DataUseAgreement>> Get(Guid id, IEventStore store, CancellationToken ct) =>
        TypedResults.Ok(await DataUseAgreement.LoadAsync(store, id, ct) ?? throw new RequestRefusedException(AgreementErrors.None(id)));

    private static async Task<Ok<AgreementStatus>> Status(Guid id, HttpContext http, AgreementCommands commands, CancellationToken ct) =>
        TypedResults.Ok(await commands.StatusAsync(http.ToActor(), id, ct));

    private static async Task<Ok<AgreementStatus>> Accept(Guid id, AcceptBody body, HttpContext http, AgreementCommands commands, CancellationToken ct) =>
        TypedResults.Ok(await commands.AcceptAsync(CommandContext.Of(http), new AcceptDataUseAgreement(id, body.Number), ct));
}
