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
/// as an API endpoint would. The user's security stamp is kept to notice role and password changes later.
/// </summary>
internal sealed partial class WebSignInEvents(
    OpenIddictValidationService validation, UserManager<GatewayUser> users, IOptions<IdentityOptions> identity, TimeProvider time,
    ILogger<WebSignInEvents> logger) : OpenIdConnectEvents
{
    /// <summary>The access token's claims the session keeps: who, which roles, user or client, which scopes.</summary>
    private static readonly HashSet<string> SessionClaims =
        [Claims.Subject, Claims.Name, Claims.Email, Claims.Role, GatewayClaims.ActorKind, Claims.Private.Scope];

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
        session.AddClaim(new Claim(identity.Value.ClaimsIdentity.SecurityStampClaimType, await users.GetSecurityStampAsync(user)));
        context.Principal = new ClaimsPrincipal(session);
        WebSessionEvents.MarkValidated(context.Properties!, time.GetUtcNow());
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
/// Keeps a web session honest: every few minutes it checks that the user may still sign in and that roles and
/// password are unchanged (the security stamp). A stale session is dropped; the next page signs in again
/// through the server, which issues the current roles. A page without a session starts the sign-in, but only
/// on one of the gateway's own origins (<see cref="GatewayOrigins"/>).
/// </summary>
internal sealed class WebSessionEvents(
    UserManager<GatewayUser> users, SignInManager<GatewayUser> signIn, IOptions<IdentityOptions> identity, GatewayOrigins origins, TimeProvider time)
    : CookieAuthenticationEvents
{
    private const string ValidatedAtKey = "rgw.validated";
    internal static readonly TimeSpan RevalidationInterval = TimeSpan.FromMinutes(5);

    internal static void MarkValidated(AuthenticationProperties properties, DateTimeOffset now) =>
        properties.Items[ValidatedAtKey] = now.ToString("O", CultureInfo.InvariantCulture);

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
        var now = time.GetUtcNow();
        if (context.Properties.Items.TryGetValue(ValidatedAtKey, out var at)
            && DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var validatedAt)
            && now - validatedAt < RevalidationInterval)
            return;
        var principal = context.Principal!;
        var user = await users.GetUserAsync(principal);
        if (user is null || user.MustChangePassword || !await signIn.CanSignInAsync(user) || await users.IsLockedOutAsync(user)
            || principal.FindFirstValue(identity.Value.ClaimsIdentity.SecurityStampClaimType) != await users.GetSecurityStampAsync(user))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(WebSignIn.CookieScheme);
            return;
        }
        MarkValidated(context.Properties, now);
        context.ShouldRenew = true;
    }
}
