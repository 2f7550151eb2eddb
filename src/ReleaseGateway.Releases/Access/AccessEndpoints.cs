using AuthPolicies = ReleaseGateway.Identity.Authorization.Policies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Requests;

namespace ReleaseGateway.Releases.Access;

public sealed record CloseOutBody(string? Note);

internal static class AccessEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var releases = app.MapGroup("/releases").WithTags("Releases").AddEndpointFilter<RequestsProblemFilter>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesValidationProblem();
        releases.MapPost("/{id:guid}/close-out", CloseOut).RequireAuthorization(AuthPolicies.Authenticated)
            .WithName("CloseOutRelease").WithSummary("The requester's close-out note (progress report) for a published, expired or revoked release; ends access");
        releases.MapPost("/{id:guid}/visa", Issue).RequireAuthorization(AuthPolicies.Authenticated)
            .WithName("IssueReleaseVisa")
            .WithSummary("A GA4GH Passport ControlledAccessGrants visa (signed JWT; keys at /.well-known/jwks) for the requester's published release");
        app.MapPost("/visas/check", Check).AllowAnonymous().WithTags("Releases").WithName("CheckVisa")
            .WithSummary("Whether a visa this gateway issued is still honoured: active, revoked, expired, closed-out, unknown or invalid");
    }

    private static async Task<Ok<ReleaseDetails>> CloseOut(Guid id, CloseOutBody body, HttpContext http, CloseOutCommands commands, CancellationToken ct)
    {
        var caller = CommandContext.Of(http);
        var release = await commands.CloseOutAsync(caller, new CloseOutRelease(id, body.Note ?? ""), ct);
        return TypedResults.Ok(ReleaseBoundary.View(release, http.GetActor().Roles));
    }

    private static async Task<Ok<IssuedVisa>> Issue(Guid id, HttpContext http, VisaIssuer visas, CancellationToken ct) =>
        TypedResults.Ok(await visas.IssueAsync(CommandContext.Of(http), id, visas.Issuer(http.Request), ct));

    private static async Task<Ok<VisaStatus>> Check(VisaBody body, HttpContext http, VisaIssuer visas, CancellationToken ct) =>
        TypedResults.Ok(await visas.CheckAsync(body.Visa, visas.Issuer(http.Request), ct));
}
