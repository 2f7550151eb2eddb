using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Validation;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Identity.Data;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace ReleaseGateway.Web.SignIn;

/// <summary>
/// Turns a completed sign-in into the web session: the access token the server issued is validated by the same
/// validation stack that guards the API, and its claims become the session's, so a page sees the caller exactly
/// as an API endpoint would. The token's security stamp fingerprint is kept to notice role and account changes later.
/// </summary>
internal sealed partial class WebSignInEvents(
    OpenIddictValidationService validation, UserManager<GatewayUser> users, ILogger<WebSignInEvents> logger) : OpenIdConnectEvents
{
    /// <summary>The access token's claims the session keeps: who, which roles, user or client, which scopes, which stamp.</summary>
    private static readonly HashSet<string> SessionClaims =
        [Claims.Subject, Claims.Name, Claims.Email, Claims.Role, GatewayClaims.ActorKind, Claims.Private.Scope, UserAccessCheck.StampClaim];

    public override async Task TokenValidated(TokenValidatedContext context)
    {
        var accessToken = context.TokenEndpointResponse?.AccessToken;
        if (string.IsNullOrEmpty(accessToken))
        {
            context.Fail("The token response carries no access token.");
            return;
        }
        ClaimsPrincipal api;
        try
        {
            api = await validation.ValidateAccessTokenAsync(accessToken, context.HttpContext.RequestAborted);
        }
        catch (OpenIddictExceptions.ValidationException e)
        {
            AccessTokenRefused(logger, e.Message);
            context.Fail("The access token was refused.");
            return;
        }
        var subject = api.GetClaim(Claims.Subject);
        var user = subject is null || subject != context.Principal?.GetClaim(Claims.Subject) ? null : await users.FindByIdAsync(subject);
        if (user is null)
        {
            context.Fail("The identity and access tokens name different users, or the user no longer exists.");
            return;
        }

        var session = new ClaimsIdentity(WebSignIn.CookieScheme, Claims.Name, Claims.Role);
        foreach (var claim in api.Claims.Where(c => SessionClaims.Contains(c.Type)))
            session.AddClaim(new Claim(claim.Type, claim.Value));
        context.Principal = new ClaimsPrincipal(session);
    }

    /// <summary>A refused or broken sign-in (access denied, an expired attempt) ends on a readable page, not an exception.</summary>
    public override Task RemoteFailure(RemoteFailureContext context)
    {
        SignInFailed(logger, context.Failure?.Message ?? "unknown");
        context.Response.Redirect(WebModule.PathPrefix + "/error?status=401");
        context.HandleResponse();
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "Web sign-in: the access token was refused: {Reason}")]
    private static partial void AccessTokenRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Information, Message = "Web sign-in failed: {Reason}")]
    private static partial void SignInFailed(ILogger logger, string reason);
}

/// <summary>
/// Keeps a web session honest: on every page it checks, like the API on every call (<see cref="UserAccessCheck"/>,
/// ADR 0029), that the user may still sign in and that roles and password are unchanged. A stale session is dropped
/// at once; the next page signs in again through the server, which issues the current roles. A page without a
/// session starts the sign-in, but only on one of the gateway's own origins (<see cref="GatewayOrigins"/>).
/// </summary>
internal sealed class WebSessionEvents(UserAccessCheck check, GatewayOrigins origins) : CookieAuthenticationEvents
{
    public override async Task RedirectToLogin(RedirectContext<CookieAuthenticationOptions> context)
    {
        if (!origins.IsGateway(context.Request))
        {
            context.Response.Redirect(WebModule.PathPrefix + "/error?status=400&reason=origin");
            return;
        }
        // After signing in the browser comes back with a GET: to the page, not to a form handler's address.
        if (!HttpMethods.IsGet(context.Request.Method))
            context.Properties.RedirectUri = context.Request.PathBase + context.Request.Path;
        await context.HttpContext.ChallengeAsync(WebSignIn.OidcScheme, context.Properties);
    }

    public override async Task ValidatePrincipal(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal!;
        var current = Guid.TryParse(principal.GetClaim(Claims.Subject), out var userId)
            && await check.IsCurrentAsync(userId, principal.GetClaim(UserAccessCheck.StampClaim), context.HttpContext.RequestAborted);
        if (current) return;
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(WebSignIn.CookieScheme);
    }
}
