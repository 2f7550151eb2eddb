using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Identity.Keys;
using ReleaseGateway.Problems;

namespace ReleaseGateway.Identity.Users;

public sealed record MeResponse(string Id, bool IsServiceClient, IReadOnlyList<string> Roles, IReadOnlyDictionary<string, bool> Policies);

public sealed record CreateUserRequest(string Email, IReadOnlyList<string> Roles);

public sealed record CreateUserResponse(Guid Id, string OneTimePassword);

public sealed record ChangeRoleRequest(string Email, string Role);

public sealed record AccountRequest(string Email);

public sealed record ResetLinkResponse(Guid UserId, Uri Link, DateTimeOffset ExpiresAt, bool Emailed);

public static class UsersEndpoints
{
    private static readonly string[] AllPolicies =
        [Policies.Researcher, Policies.Committee, Policies.Compliance, Policies.Steward, Policies.Admin, Policies.ReadAudit];

    internal static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/me", GetMe)
            .RequireAuthorization(Policies.Authenticated)
            .WithTags("Identity").WithName("GetMe")
            .WithSummary("The caller's id, roles and the policies the caller satisfies.");

        var admin = app.MapGroup("/api/admin/users").RequireAuthorization(Policies.Admin).WithTags("Identity");
        admin.MapGet("/", async (UserAdministration administration, CancellationToken cancellationToken) =>
                TypedResults.Ok(await administration.ListUsersAsync(cancellationToken)))
            .WithName("ListUsers").WithSummary("All users with their roles, second factor and lockout state.");
        admin.MapPost("/", CreateUser)
            .WithName("CreateUser").WithSummary("Creates a user with a one-time password, returned once.");
        admin.MapPost("/roles/grant", (ChangeRoleRequest body, UserAdministration administration, HttpContext context) =>
                ChangeRole(context, () => administration.GrantRoleAsync(body.Email, body.Role, context.GetEventMetadata(Roles.Administrator), context.RequestAborted)))
            .WithName("GrantRole").WithSummary("Grants a role (never to oneself); the user's tokens stop working so new ones carry the new roles.");
        admin.MapPost("/roles/revoke", (ChangeRoleRequest body, UserAdministration administration, HttpContext context) =>
                ChangeRole(context, () => administration.RevokeRoleAsync(body.Email, body.Role, context.GetEventMetadata(Roles.Administrator), context.RequestAborted)))
            .WithName("RevokeRole").WithSummary("Revokes a role; the user's tokens and web sessions stop working at once.");
        admin.MapPost("/disable", (AccountRequest body, UserAdministration administration, HttpContext context) =>
                ChangeRole(context, () => administration.DisableAsync(body.Email, context.GetEventMetadata(Roles.Administrator), context.RequestAborted)))
            .WithName("DisableUser").WithSummary("Disables an account; its tokens and web sessions stop working at once.");
        admin.MapPost("/enable", (AccountRequest body, UserAdministration administration, HttpContext context) =>
                ChangeRole(context, () => administration.EnableAsync(body.Email, context.GetEventMetadata(Roles.Administrator), context.RequestAborted)))
            .WithName("EnableUser").WithSummary("Re-enables a disabled or locked account.");
        admin.MapPost("/reset-link", IssueResetLink)
            .WithName("IssueResetLink")
            .WithSummary("Issues a one-time password-reset link (e-mailed when mail is configured; otherwise hand it over). Never for oneself.");

        var system = app.MapGroup("/api/admin").RequireAuthorization(Policies.Admin).WithTags("Identity");
        system.MapGet("/clients", async (UserAdministration administration, CancellationToken cancellationToken) =>
                TypedResults.Ok(await administration.ListClientsAsync(cancellationToken)))
            .WithName("ListClients").WithSummary("The OAuth clients: id, name, type, roles and grant types (never a secret).");
        system.MapGet("/keys", (KeyRotationStatus keys) => TypedResults.Ok(keys.Read()))
            .WithName("GetKeyRotationStatus").WithSummary("Token and Data Protection keys: age, which one is in use, when the next rotation is due.");
    }

    private static async Task<Ok<MeResponse>> GetMe(HttpContext context, IAuthorizationService authorization)
    {
        var actor = context.GetActor();
        var policies = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var policy in AllPolicies)
            policies[policy] = (await authorization.AuthorizeAsync(context.User, policy)).Succeeded;
        return TypedResults.Ok(new MeResponse(actor.Id, actor.IsServiceClient, [.. actor.Roles.Order(StringComparer.Ordinal)], policies));
    }

    private static async Task<Results<Created<CreateUserResponse>, ProblemHttpResult>> CreateUser(
        CreateUserRequest body, UserAdministration administration, HttpContext context)
    {
        try
        {
            var created = await administration.CreateUserAsync(body.Email, body.Roles, password: null,
                context.GetEventMetadata(Roles.Administrator), context.RequestAborted);
            return TypedResults.Created($"/api/admin/users/{created.Id}", new CreateUserResponse(created.Id, created.OneTimePassword!));
        }
        catch (UserAdministrationException e)
        {
            return GatewayProblems.Create(e.Code, e.Message);
        }
    }

    private static async Task<Results<Ok<ResetLinkResponse>, ProblemHttpResult>> IssueResetLink(
        AccountRequest body, UserAdministration administration, IdentitySettings settings, HttpContext context)
    {
        try
        {
            var link = await administration.IssueResetLinkAsync(body.Email, GatewayAddress(context, settings),
                context.GetEventMetadata(Roles.Administrator), context.RequestAborted);
            return TypedResults.Ok(new ResetLinkResponse(link.UserId, link.Link, link.ExpiresAt, link.Emailed));
        }
        catch (UserAdministrationException e)
        {
            return GatewayProblems.Create(e.Code, e.Message);
        }
    }

    /// <summary>The address people reach the gateway at: the configured issuer behind a proxy, otherwise this request's.</summary>
    public static Uri GatewayAddress(HttpContext context, IdentitySettings settings) =>
        settings.Issuer ?? new Uri($"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/");

    private static async Task<Results<NoContent, ProblemHttpResult>> ChangeRole(HttpContext context, Func<Task> change)
    {
        try
        {
            await change();
            return TypedResults.NoContent();
        }
        catch (UserAdministrationException e)
        {
            return GatewayProblems.Create(e.Code, e.Message);
        }
    }
}
