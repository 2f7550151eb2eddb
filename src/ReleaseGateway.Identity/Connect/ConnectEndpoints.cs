using System.Collections.Immutable;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Audit;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Identity.Data;
using ReleaseGateway.Identity.SignIn;
using ReleaseGateway.Identity.Users;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace ReleaseGateway.Identity.Connect;

/// <summary>
/// The pass-through endpoints of the token server: OpenIddict validates each request (client, redirect URI,
/// PKCE, grant, scopes) before these run; they decide who the subject is and which claims the tokens carry.
/// Consent is implicit: every client is registered by an administrator (ADR 0010).
/// </summary>
internal static class ConnectEndpoints
{
    public const string AuthorizationPath = "/connect/authorize";
    public const string TokenPath = "/connect/token";
    public const string DeviceAuthorizationPath = "/connect/device";
    public const string VerificationPath = "/connect/verify";
    public const string RevocationPath = "/connect/revoke";

    public static void Map(IEndpointRouteBuilder app)
    {
        var connect = app.MapGroup("/connect").AllowAnonymous().ExcludeFromDescription();
        connect.MapMethods("/authorize", [HttpMethods.Get, HttpMethods.Post], Authorize);
        connect.MapPost("/token", Exchange);
        connect.MapGet("/verify", VerifyForm);
        connect.MapPost("/verify", Verify);
    }

    private static async Task<IResult> Authorize(HttpContext context, UserManager<GatewayUser> users, SignInManager<GatewayUser> signIn)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var user = await AccountEndpoints.CurrentUserAsync(context, users);
        if (user is null || !await signIn.CanSignInAsync(user) || await users.IsLockedOutAsync(user))
        {
            if (request.HasPromptValue(PromptValues.None))
                return Forbid(Errors.LoginRequired, "The user is not signed in.");
            var returnUrl = context.Request.PathBase + context.Request.Path + QueryString.Create(
                context.Request.HasFormContentType ? context.Request.Form : context.Request.Query);
            return Results.Challenge(new AuthenticationProperties { RedirectUri = returnUrl }, [IdentityConstants.ApplicationScheme]);
        }
        if (user.MustChangePassword)
        {
            var returnUrl = context.Request.PathBase + context.Request.Path + context.Request.QueryString;
            return Results.Redirect($"{AccountEndpoints.ChangePasswordPath}?returnUrl={Uri.EscapeDataString(returnUrl)}");
        }

        var identity = await UserIdentityAsync(user, users, request.GetScopes());
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> Exchange(HttpContext context, UserManager<GatewayUser> users, SignInManager<GatewayUser> signIn,
        IOpenIddictApplicationManager applications, IdentityAuditLog audit, IdentityMetrics metrics, TimeProvider time, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(ConnectEndpoints).FullName!);
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType() || request.IsDeviceCodeGrantType())
        {
            // The code, refresh token or device code was validated by OpenIddict; its principal is the one signed in earlier.
            var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            var subject = result.Principal?.GetClaim(Claims.Subject);
            var user = subject is null ? null : await users.FindByIdAsync(subject);
            if (user is null || !await signIn.CanSignInAsync(user) || await users.IsLockedOutAsync(user) || user.MustChangePassword)
            {
                logger.TokenRefused(subject ?? "?", "user missing, locked or not allowed");
                return Forbid(Errors.InvalidGrant, "The user can no longer sign in.");
            }
            // A role change or password reset renews the security stamp; grants issued before it are refused.
            if (result.Principal!.GetClaim(SecurityStampClaim) != await users.GetSecurityStampAsync(user))
            {
                logger.TokenRefused(subject!, "security stamp changed");
                return Forbid(Errors.InvalidGrant, "The grant is no longer valid; sign in again.");
            }
            // Claims are rebuilt from the current user so a revoked role disappears at the next refresh.
            var identity = await UserIdentityAsync(user, users, result.Principal!.GetScopes());
            return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        if (request.IsClientCredentialsGrantType())
        {
            var application = await applications.FindByClientIdAsync(request.ClientId!, context.RequestAborted)
                ?? throw new InvalidOperationException("OpenIddict authenticated an unknown client.");
            var applicationId = Guid.Parse((await applications.GetIdAsync(application, context.RequestAborted))!);
            var properties = await applications.GetPropertiesAsync(application, context.RequestAborted);
            var roles = properties.TryGetValue(UserAdministration.ClientRolesProperty, out var stored) && stored.ValueKind == JsonValueKind.Array
                ? stored.EnumerateArray().Select(r => r.GetString()!).ToImmutableArray()
                : [];

            var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
            identity.SetClaim(Claims.Subject, request.ClientId)
                .SetClaim(Claims.Name, await applications.GetDisplayNameAsync(application, context.RequestAborted))
                .SetClaim(GatewayClaims.ActorKind, GatewayClaims.ServiceClientKind)
                .SetClaims(Claims.Role, roles);
            ScopeAndAudience(identity, request.GetScopes());
            identity.SetDestinations(_ => [Destinations.AccessToken]);

            metrics.ClientToken();
            logger.TokenIssuedToClient(request.ClientId!, string.Join(' ', identity.GetScopes()));
            await audit.RecordAsync(applicationId, new EventMetadata(request.ClientId!, "ServiceClient", context.GetCorrelationId()),
                new TokenIssuedToClient(applicationId, request.ClientId!, [.. identity.GetScopes()], time.GetUtcNow()), context.RequestAborted);
            return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        return Forbid(Errors.UnsupportedGrantType, "The grant type is not supported.");
    }

    private static async Task<IResult> VerifyForm(HttpContext context, IAntiforgery antiforgery, UserManager<GatewayUser> users)
    {
        var user = await AccountEndpoints.CurrentUserAsync(context, users);
        if (user is null)
            return Results.Challenge(new AuthenticationProperties { RedirectUri = context.Request.PathBase + context.Request.Path + context.Request.QueryString },
                [IdentityConstants.ApplicationScheme]);

        var request = context.GetOpenIddictServerRequest();
        var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        var clientId = result.Principal?.GetClaim(Claims.ClientId);
        var error = !string.IsNullOrEmpty(request?.UserCode) && clientId is null
            ? Html.Error("This code is unknown or expired. Start the sign-in on the device again.", Problems.ErrorCodes.InvalidCredentials)
            : "";
        var prompt = clientId is null
            ? "<p>Enter the code shown on the device.</p>"
            : $"<p>The application <strong>{Html.Encode(clientId)}</strong> asks to act on your behalf with the scopes {Html.Encode(string.Join(", ", result.Principal!.GetScopes()))}.</p>";
        return Html.Page("Sign in a device", $"""
            {error}
            {prompt}
            <form method="post" action="{VerificationPath}">
            {Html.AntiforgeryField(antiforgery, context)}
            <p><label for="user_code">Code</label><br><input id="user_code" name="user_code" value="{Html.Encode(request?.UserCode)}" autocomplete="off" required></p>
            <p><button type="submit" name="decision" value="approve">Approve</button> <button type="submit" name="decision" value="deny">Deny</button></p>
            </form>
            """, error.Length > 0 ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK);
    }

    private static async Task<IResult> Verify(HttpContext context, IAntiforgery antiforgery, UserManager<GatewayUser> users,
        IdentityAuditLog audit, TimeProvider time, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(ConnectEndpoints).FullName!);
        if (!await antiforgery.IsRequestValidAsync(context))
            return Html.Page("Sign in a device", Html.Error("The form expired or was not sent by this site.", Problems.ErrorCodes.BadRequest), StatusCodes.Status400BadRequest);
        var user = await AccountEndpoints.CurrentUserAsync(context, users);
        if (user is null || user.MustChangePassword)
            return Results.Redirect($"{AccountEndpoints.LoginPath}?returnUrl={Uri.EscapeDataString(VerificationPath)}");

        var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        var clientId = result.Principal?.GetClaim(Claims.ClientId);
        if (clientId is null)
            return Html.Page("Sign in a device", Html.Error("This code is unknown or expired. Start the sign-in on the device again.",
                Problems.ErrorCodes.InvalidCredentials), StatusCodes.Status400BadRequest);

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (form["decision"] != "approve")
            return Results.Forbid(new AuthenticationProperties { RedirectUri = "/account/device-denied" },
                [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

        var identity = await UserIdentityAsync(user, users, result.Principal!.GetScopes());
        logger.DeviceApproved(user.Id, clientId);
        await audit.RecordAsync(user.Id, new EventMetadata(user.Id.ToString(), "User", context.GetCorrelationId()),
            new DeviceSignInApproved(user.Id, clientId, time.GetUtcNow()), context.RequestAborted);
        return Results.SignIn(new ClaimsPrincipal(identity), new AuthenticationProperties { RedirectUri = "/account/device-approved" },
            OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private const string SecurityStampClaim = "AspNet.Identity.SecurityStamp";

    private static async Task<ClaimsIdentity> UserIdentityAsync(GatewayUser user, UserManager<GatewayUser> users, ImmutableArray<string> scopes)
    {
        var stamp = await users.GetSecurityStampAsync(user);
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, user.Id.ToString())
            .SetClaim(Claims.Name, user.UserName)
            .SetClaim(Claims.Email, user.Email)
            .SetClaim(GatewayClaims.ActorKind, GatewayClaims.UserKind)
            .SetClaim(SecurityStampClaim, stamp)
            // Checked on every API call (CurrentUserTokenHandler): a role or account change ends the token at once.
            .SetClaim(UserAccessCheck.StampClaim, UserAccessCheck.Fingerprint(stamp))
            .SetClaims(Claims.Role, [.. await users.GetRolesAsync(user)]);
        ScopeAndAudience(identity, scopes);
        identity.SetDestinations(claim => claim.Type switch
        {
            // The stamp stays inside codes and refresh tokens (server-only, encrypted); it never reaches a client.
            SecurityStampClaim => [],
            Claims.Name or Claims.Email when identity.HasScope(Scopes.Profile) || identity.HasScope(Scopes.Email) =>
                [Destinations.AccessToken, Destinations.IdentityToken],
            _ => [Destinations.AccessToken],
        });
        return identity;
    }

    private static void ScopeAndAudience(ClaimsIdentity identity, ImmutableArray<string> scopes)
    {
        // The gateway is the only resource, so every token is for it; what the token may do is the scope's business
        // (no rgw.api scope: valid token, 403 on every API endpoint).
        identity.SetScopes(scopes);
        identity.SetResources(GatewayScopes.ApiResource);
    }

    private static IResult Forbid(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
