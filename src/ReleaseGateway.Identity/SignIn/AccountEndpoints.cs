using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using ReleaseGateway.Diagnostics;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Audit;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Identity.Data;
using ReleaseGateway.Problems;

namespace ReleaseGateway.Identity.SignIn;

/// <summary>
/// The interactive sign-in pages: password, optional TOTP, the forced change of a one-time password, sign-out.
/// They only set the short-lived sign-in cookie; tokens are issued by the authorization endpoint afterwards.
/// </summary>
internal static class AccountEndpoints
{
    public const string LoginPath = "/account/login";
    public const string TotpPath = "/account/login/totp";
    public const string ChangePasswordPath = "/account/password";

    public static void Map(IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/account").AllowAnonymous().ExcludeFromDescription();
        account.MapGet("/login", (HttpContext context, IAntiforgery antiforgery, string? returnUrl) =>
            LoginForm(context, antiforgery, returnUrl, null, StatusCodes.Status200OK));
        account.MapPost("/login", PostLogin);
        account.MapGet("/login/totp", (HttpContext context, IAntiforgery antiforgery, string? returnUrl) =>
            TotpForm(context, antiforgery, returnUrl, null, StatusCodes.Status200OK));
        account.MapPost("/login/totp", PostTotp);
        account.MapGet("/password", GetChangePassword);
        account.MapPost("/password", PostChangePassword);
        account.MapPost("/logout", PostLogout);
        account.MapGet("/device-approved", () => Html.Page("Device signed in", "<p>The device is signed in. You can close this window and return to your terminal.</p>"));
        account.MapGet("/device-denied", () => Html.Page("Device sign-in denied", "<p>The device was not signed in.</p>"));
    }

    private static IResult LoginForm(HttpContext context, IAntiforgery antiforgery, string? returnUrl, (string Message, string Code)? error, int status) =>
        Html.Page("Sign in", $"""
            {Html.Error(error?.Message, error?.Code)}
            <form method="post" action="{LoginPath}">
            {Html.AntiforgeryField(antiforgery, context)}
            {Html.Hidden("returnUrl", Html.LocalUrl(returnUrl))}
            <p><label for="email">E-mail address</label><br><input id="email" name="email" type="email" autocomplete="username" required></p>
            <p><label for="password">Password</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
            <p><button type="submit">Sign in</button></p>
            </form>
            """, status);

    private static IResult TotpForm(HttpContext context, IAntiforgery antiforgery, string? returnUrl, (string Message, string Code)? error, int status) =>
        Html.Page("Authenticator code", $"""
            {Html.Error(error?.Message, error?.Code)}
            <form method="post" action="{TotpPath}">
            {Html.AntiforgeryField(antiforgery, context)}
            {Html.Hidden("returnUrl", Html.LocalUrl(returnUrl))}
            <p><label for="code">Six-digit code from your authenticator app</label><br><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required></p>
            <p><button type="submit">Verify</button></p>
            </form>
            """, status);

    private static IResult Locked() =>
        Html.Page("Account locked", Html.Error("Too many failed sign-ins: this account is locked for a while.", ErrorCodes.AccountLocked), StatusCodes.Status403Forbidden);

    private static IResult BadForm() =>
        Html.Page("Sign in", Html.Error("The form expired or was not sent by this site. Go back and try again.", ErrorCodes.BadRequest), StatusCodes.Status400BadRequest);

    private static async Task<IResult> PostLogin(HttpContext context, IAntiforgery antiforgery, SignInManager<GatewayUser> signIn,
        UserManager<GatewayUser> users, SignInAudit audit)
    {
        if (!await antiforgery.IsRequestValidAsync(context)) return BadForm();
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var returnUrl = Html.LocalUrl(form["returnUrl"]);
        using var activity = GatewayTelemetry.ActivitySource.StartActivity("identity.sign_in");
        var user = await users.FindByEmailAsync(form["email"].ToString().Trim());
        if (user is null)
        {
            // Hash anyway so an unknown address costs as long as a wrong password: timing must not reveal accounts.
            users.PasswordHasher.HashPassword(new GatewayUser(), form["password"].ToString());
            activity?.SetTag("rgw.sign_in.outcome", "unknown-account");
            audit.UnknownAccount();
            return LoginForm(context, antiforgery, returnUrl, ("Wrong e-mail address or password.", ErrorCodes.InvalidCredentials), StatusCodes.Status401Unauthorized);
        }

        var wasLocked = await users.IsLockedOutAsync(user);
        var result = await signIn.PasswordSignInAsync(user, form["password"].ToString(), isPersistent: false, lockoutOnFailure: true);
        activity?.SetTag("rgw.user_id", user.Id).SetTag("rgw.sign_in.outcome", result.ToString());
        if (result.Succeeded)
        {
            await audit.SignedInAsync(context, user, SignInMethods.Password);
            return AfterSignIn(user, returnUrl);
        }
        if (result.RequiresTwoFactor) return Results.Redirect($"{TotpPath}?returnUrl={Uri.EscapeDataString(returnUrl)}");
        if (result.IsLockedOut)
        {
            await audit.FailedAsync(context, user, wasLocked ? SignInFailureReasons.Locked : SignInFailureReasons.WrongPassword, newlyLocked: !wasLocked);
            return Locked();
        }
        if (result.IsNotAllowed)
        {
            await audit.FailedAsync(context, user, SignInFailureReasons.NotAllowed, newlyLocked: false);
            return Html.Page("Sign in", Html.Error("This account may not sign in.", ErrorCodes.AccessDenied), StatusCodes.Status403Forbidden);
        }
        await audit.FailedAsync(context, user, SignInFailureReasons.WrongPassword, newlyLocked: false);
        return LoginForm(context, antiforgery, returnUrl, ("Wrong e-mail address or password.", ErrorCodes.InvalidCredentials), StatusCodes.Status401Unauthorized);
    }

    private static async Task<IResult> PostTotp(HttpContext context, IAntiforgery antiforgery, SignInManager<GatewayUser> signIn,
        UserManager<GatewayUser> users, SignInAudit audit)
    {
        if (!await antiforgery.IsRequestValidAsync(context)) return BadForm();
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var returnUrl = Html.LocalUrl(form["returnUrl"]);
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null) return Results.Redirect($"{LoginPath}?returnUrl={Uri.EscapeDataString(returnUrl)}");

        var wasLocked = await users.IsLockedOutAsync(user);
        var code = form["code"].ToString().Replace(" ", "", StringComparison.Ordinal);
        var result = await signIn.TwoFactorAuthenticatorSignInAsync(code, isPersistent: false, rememberClient: false);
        if (result.Succeeded)
        {
            await audit.SignedInAsync(context, user, SignInMethods.PasswordAndTotp);
            return AfterSignIn(user, returnUrl);
        }
        if (result.IsLockedOut)
        {
            await audit.FailedAsync(context, user, wasLocked ? SignInFailureReasons.Locked : SignInFailureReasons.WrongSecondFactor, newlyLocked: !wasLocked);
            return Locked();
        }
        await audit.FailedAsync(context, user, SignInFailureReasons.WrongSecondFactor, newlyLocked: false);
        return TotpForm(context, antiforgery, returnUrl, ("Wrong or expired code.", ErrorCodes.InvalidSecondFactor), StatusCodes.Status401Unauthorized);
    }

    private static IResult AfterSignIn(GatewayUser user, string returnUrl) => user.MustChangePassword
        ? Results.Redirect($"{ChangePasswordPath}?returnUrl={Uri.EscapeDataString(returnUrl)}")
        : Results.LocalRedirect(returnUrl);

    private static async Task<IResult> GetChangePassword(HttpContext context, IAntiforgery antiforgery, UserManager<GatewayUser> users, string? returnUrl)
    {
        var user = await CurrentUserAsync(context, users);
        return user is null
            ? Results.Redirect($"{LoginPath}?returnUrl={Uri.EscapeDataString(ChangePasswordPath + "?returnUrl=" + Uri.EscapeDataString(Html.LocalUrl(returnUrl)))}")
            : ChangePasswordForm(context, antiforgery, returnUrl, null, StatusCodes.Status200OK);
    }

    private static IResult ChangePasswordForm(HttpContext context, IAntiforgery antiforgery, string? returnUrl, (string Message, string Code)? error, int status) =>
        Html.Page("Choose a new password", $"""
            {Html.Error(error?.Message, error?.Code)}
            <p>Your account still has a one-time password. Choose your own (at least 12 characters) to continue.</p>
            <form method="post" action="{ChangePasswordPath}">
            {Html.AntiforgeryField(antiforgery, context)}
            {Html.Hidden("returnUrl", Html.LocalUrl(returnUrl))}
            <p><label for="current">Current (one-time) password</label><br><input id="current" name="current" type="password" autocomplete="current-password" required></p>
            <p><label for="new">New password</label><br><input id="new" name="new" type="password" autocomplete="new-password" minlength="12" required></p>
            <p><button type="submit">Change password</button></p>
            </form>
            """, status);

    private static async Task<IResult> PostChangePassword(HttpContext context, IAntiforgery antiforgery, SignInManager<GatewayUser> signIn,
        UserManager<GatewayUser> users, SignInAudit audit)
    {
        if (!await antiforgery.IsRequestValidAsync(context)) return BadForm();
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var returnUrl = Html.LocalUrl(form["returnUrl"]);
        var user = await CurrentUserAsync(context, users);
        if (user is null) return Results.Redirect($"{LoginPath}?returnUrl={Uri.EscapeDataString(returnUrl)}");

        var current = form["current"].ToString();
        var next = form["new"].ToString();
        if (next == current)
            return ChangePasswordForm(context, antiforgery, returnUrl, ("The new password must differ from the current one.", ErrorCodes.PasswordRejected), StatusCodes.Status400BadRequest);
        var result = await users.ChangePasswordAsync(user, current, next);
        if (!result.Succeeded)
            return ChangePasswordForm(context, antiforgery, returnUrl,
                (string.Join(" ", result.Errors.Select(e => e.Description)), ErrorCodes.PasswordRejected), StatusCodes.Status400BadRequest);
        user.MustChangePassword = false;
        await users.UpdateAsync(user);
        await signIn.RefreshSignInAsync(user);
        await audit.PasswordChangedAsync(context, user);
        return Results.LocalRedirect(returnUrl);
    }

    private static async Task<IResult> PostLogout(HttpContext context, IAntiforgery antiforgery, SignInManager<GatewayUser> signIn)
    {
        if (!await antiforgery.IsRequestValidAsync(context)) return BadForm();
        await signIn.SignOutAsync();
        return Html.Page("Signed out", "<p>You are signed out.</p>");
    }

    internal static async Task<GatewayUser?> CurrentUserAsync(HttpContext context, UserManager<GatewayUser> users)
    {
        var result = await context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        return result.Succeeded ? await users.GetUserAsync(result.Principal) : null;
    }
}

/// <summary>Records sign-in outcomes in the audit log, the log and the metrics; the actor of these events is the user.</summary>
internal sealed class SignInAudit(IdentityAuditLog audit, UserManager<GatewayUser> users, IdentityMetrics metrics, TimeProvider time, ILogger<SignInAudit> logger)
{
    private const string ActingRole = "User";

    public async Task SignedInAsync(HttpContext context, GatewayUser user, string method)
    {
        metrics.SignIn("success");
        logger.SignedIn(user.Id, method);
        await audit.RecordAsync(user.Id, Metadata(context, user), new UserSignedIn(user.Id, method, time.GetUtcNow()), context.RequestAborted);
    }

    public async Task FailedAsync(HttpContext context, GatewayUser user, string reason, bool newlyLocked)
    {
        metrics.SignIn("failure");
        var failures = await users.GetAccessFailedCountAsync(user);
        logger.SignInFailed(user.Id, reason, failures);
        List<object> events = [new UserSignInFailed(user.Id, reason, failures, time.GetUtcNow())];
        if (newlyLocked && await users.GetLockoutEndDateAsync(user) is { } lockedUntil)
        {
            metrics.Lockout();
            logger.LockedOut(user.Id, lockedUntil);
            events.Add(new UserLockedOut(user.Id, lockedUntil, time.GetUtcNow()));
        }
        await audit.RecordAsync(user.Id, Metadata(context, user), [.. events], context.RequestAborted);
    }

    public void UnknownAccount()
    {
        metrics.SignIn("failure");
        logger.SignInFailedUnknownAccount();
    }

    public Task PasswordChangedAsync(HttpContext context, GatewayUser user) =>
        audit.RecordAsync(user.Id, Metadata(context, user), new UserPasswordChanged(user.Id, time.GetUtcNow()), context.RequestAborted);

    private static EventMetadata Metadata(HttpContext context, GatewayUser user) =>
        new(user.Id.ToString(), ActingRole, context.GetCorrelationId());
}
