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
using ReleaseGateway.Identity.Users;
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
    public const string ResetPath = ResetLinkTokens.Path;

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
        account.MapGet("/reset", GetReset);
        account.MapPost("/reset", PostReset);
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
            <p><label for="code">Six-digit code from your authenticator app</label><br><input id="code" name="code" autocomplete="one-time-code" aria-describedby="code-hint" required>
            <br><span class="hint" id="code-hint">Lost your phone? Type one of your recovery codes instead; each works once.</span></p>
            <p><button type="submit">Verify</button></p>
            </form>
            """, status);

    // Only after the right password (the second factor's page): the caller already knows the account exists.
    private static IResult Locked() =>
        Html.Page("Account locked", Html.Error("Too many wrong codes: this account is locked for a while.", ErrorCodes.AccountLocked), StatusCodes.Status403Forbidden);

    private static IResult BadForm() =>
        Html.Page("Sign in", Html.Error("The form expired or was not sent by this site. Go back and try again.", ErrorCodes.BadRequest), StatusCodes.Status400BadRequest);

    /// <summary>
    /// One answer for every failure, whatever its cause (unknown address, wrong password, an account locked or
    /// disabled, too many failures from this address): the same page, status and message, after the same password
    /// hashing work, so neither the answer nor its timing tells whether an account exists (issue 15). Failures are
    /// counted per account and source address (<see cref="SignInThrottle"/>), so nobody can lock another person out.
    /// </summary>
    private static async Task<IResult> PostLogin(HttpContext context, IAntiforgery antiforgery, SignInManager<GatewayUser> signIn,
        UserManager<GatewayUser> users, SignInAudit audit, SignInThrottle throttle)
    {
        if (!await antiforgery.IsRequestValidAsync(context)) return BadForm();
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var returnUrl = Html.LocalUrl(form["returnUrl"]);
        var email = form["email"].ToString().Trim();
        var password = form["password"].ToString();
        using var activity = GatewayTelemetry.ActivitySource.StartActivity("identity.sign_in");
        var key = SignInThrottle.Key(email, context.Connection.RemoteIpAddress);
        var user = await users.FindByEmailAsync(email);

        async Task<IResult> Refuse(string reason, bool countIt)
        {
            activity?.SetTag("rgw.sign_in.outcome", reason);
            var throttled = countIt ? throttle.RecordFailure(key) : null;
            if (user is null) await audit.UnknownAccountAsync(context, reason);
            else await audit.FailedAsync(context, user, reason, throttled);
            return LoginForm(context, antiforgery, returnUrl, (FailedSignInMessage, ErrorCodes.InvalidCredentials), StatusCodes.Status401Unauthorized);
        }

        // The cases that do not check the password hash the typed one anyway: every answer costs the same.
        if (throttle.IsBlocked(key))
        {
            HashForTiming(users, password);
            return await Refuse(SignInFailureReasons.Throttled, countIt: false);
        }
        if (user is null)
        {
            HashForTiming(users, password);
            return await Refuse(SignInFailureReasons.UnknownAccount, countIt: true);
        }
        activity?.SetTag("rgw.user_id", user.Id);
        if (await users.IsLockedOutAsync(user))
        {
            HashForTiming(users, password);
            return await Refuse(user.LockoutEnd == DateTimeOffset.MaxValue ? SignInFailureReasons.Disabled : SignInFailureReasons.Locked, countIt: true);
        }
        // Password failures do not lock the account (an outsider could): the throttle counts them per source instead.
        var result = await signIn.PasswordSignInAsync(user, password, isPersistent: false, lockoutOnFailure: false);
        if (result.Succeeded)
        {
            throttle.RecordSuccess(key);
            activity?.SetTag("rgw.sign_in.outcome", result.ToString());
            await audit.SignedInAsync(context, user, SignInMethods.Password);
            return AfterSignIn(user, returnUrl);
        }
        if (result.RequiresTwoFactor)
        {
            throttle.RecordSuccess(key);
            return Results.Redirect($"{TotpPath}?returnUrl={Uri.EscapeDataString(returnUrl)}");
        }
        return await Refuse(result.IsLockedOut ? SignInFailureReasons.Locked : result.IsNotAllowed ? SignInFailureReasons.NotAllowed : SignInFailureReasons.WrongPassword,
            countIt: true);
    }

    private const string FailedSignInMessage =
        "Wrong e-mail address or password. After several failures sign-ins from this address wait a while; an administrator can help.";

    private static void HashForTiming(UserManager<GatewayUser> users, string password) =>
        users.PasswordHasher.HashPassword(new GatewayUser(), password);

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
        // Six digits are the authenticator's code; anything else is tried as one of the user's one-use recovery codes.
        var totp = code.Length == 6 && code.All(char.IsAsciiDigit);
        var result = totp
            ? await signIn.TwoFactorAuthenticatorSignInAsync(code, isPersistent: false, rememberClient: false)
            : await signIn.TwoFactorRecoveryCodeSignInAsync(code);
        if (result.Succeeded)
        {
            await audit.SignedInAsync(context, user, totp ? SignInMethods.PasswordAndTotp : SignInMethods.PasswordAndRecoveryCode);
            return AfterSignIn(user, returnUrl);
        }
        if (result.IsLockedOut)
        {
            await audit.FailedAsync(context, user, wasLocked ? SignInFailureReasons.Locked : SignInFailureReasons.WrongSecondFactor, throttled: null, newlyLocked: !wasLocked);
            return Locked();
        }
        await audit.FailedAsync(context, user, SignInFailureReasons.WrongSecondFactor, throttled: null);
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
            : ChangePasswordForm(context, antiforgery, returnUrl, null, StatusCodes.Status200OK, user.MustChangePassword);
    }

    private static IResult ChangePasswordForm(HttpContext context, IAntiforgery antiforgery, string? returnUrl, (string Message, string Code)? error, int status,
        bool oneTime) =>
        Html.Page("Choose a new password", $"""
            {Html.Error(error?.Message, error?.Code)}
            <p>{(oneTime
                ? "Your account still has a one-time password. Choose your own (at least 12 characters) to continue."
                : "Type your current password, then the new one (at least 12 characters). Your other sessions and the command line's sign-in end; sign in there again.")}</p>
            <form method="post" action="{ChangePasswordPath}">
            {Html.AntiforgeryField(antiforgery, context)}
            {Html.Hidden("returnUrl", Html.LocalUrl(returnUrl))}
            <p><label for="current">{(oneTime ? "Current (one-time) password" : "Current password")}</label><br><input id="current" name="current" type="password" autocomplete="current-password" required></p>
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
            return ChangePasswordForm(context, antiforgery, returnUrl, ("The new password must differ from the current one.", ErrorCodes.PasswordRejected), StatusCodes.Status400BadRequest,
                user.MustChangePassword);
        var result = await users.ChangePasswordAsync(user, current, next);
        if (!result.Succeeded)
            return ChangePasswordForm(context, antiforgery, returnUrl,
                (string.Join(" ", result.Errors.Select(e => e.Description)), ErrorCodes.PasswordRejected), StatusCodes.Status400BadRequest, user.MustChangePassword);
        user.MustChangePassword = false;
        await users.UpdateAsync(user);
        await signIn.RefreshSignInAsync(user);
        await audit.PasswordChangedAsync(context, user);
        return Results.LocalRedirect(returnUrl);
    }

    private static async Task<IResult> GetReset(HttpContext context, IAntiforgery antiforgery, OwnAccount account, string? user, string? code) =>
        Guid.TryParseExact(user, "N", out var userId) && await account.IsResetLinkValidAsync(userId, code)
            ? ResetForm(context, antiforgery, userId, code!, null, StatusCodes.Status200OK)
            : ResetLinkInvalid();

    private static IResult ResetForm(HttpContext context, IAntiforgery antiforgery, Guid userId, string code, (string Message, string Code)? error, int status) =>
        Html.Page("Choose a new password", $"""
            {Html.Error(error?.Message, error?.Code)}
            <p>An administrator issued you this link. Choose a new password (at least 12 characters); the link then stops working,
            and any session still signed in to your account ends.</p>
            <form method="post" action="{ResetPath}">
            {Html.AntiforgeryField(antiforgery, context)}
            {Html.Hidden("user", userId.ToString("N"))}
            {Html.Hidden("code", code)}
            <p><label for="new">New password</label><br><input id="new" name="new" type="password" autocomplete="new-password" minlength="12" required></p>
            <p><button type="submit">Set new password</button></p>
            </form>
            """, status);

    private static IResult ResetLinkInvalid() =>
        Html.Page("Reset link not valid",
            Html.Error("This reset link was used, replaced by a newer one, or has expired. Nothing was changed.", ErrorCodes.ResetLinkInvalid) +
            "<p>Ask your administrator for a new link. If you still know your password, <a href=\"/ui\">sign in</a> as usual.</p>",
            StatusCodes.Status400BadRequest);

    /// <summary>Redeems a reset link (ADR 0053); the person is not signed in, so the events name them as their own actor.</summary>
    private static async Task<IResult> PostReset(HttpContext context, IAntiforgery antiforgery, OwnAccount account)
    {
        if (!await antiforgery.IsRequestValidAsync(context)) return BadForm();
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (!Guid.TryParseExact(form["user"].ToString(), "N", out var userId)) return ResetLinkInvalid();
        var code = form["code"].ToString();
        try
        {
            await account.RedeemResetLinkAsync(new RedeemResetLink(userId, code, form["new"].ToString()),
                new EventMetadata(userId.ToString(), "User", context.GetCorrelationId()), context.RequestAborted);
        }
        catch (UserAdministrationException e) when (e.Code == ErrorCodes.ResetLinkInvalid)
        {
            return ResetLinkInvalid();
        }
        catch (UserAdministrationException e)
        {
            return ResetForm(context, antiforgery, userId, code, (e.Message, e.Code), StatusCodes.Status400BadRequest);
        }
        catch (FluentValidation.ValidationException e)
        {
            return ResetForm(context, antiforgery, userId, code, (string.Join(" ", e.Errors.Select(x => x.ErrorMessage)), ErrorCodes.PasswordRejected),
                StatusCodes.Status400BadRequest);
        }
        return Html.Page("Password changed", """<p>Your new password is set and the link no longer works. <a href="/ui">Sign in</a> with it.</p>""");
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
internal sealed class SignInAudit(IdentityAuditLog audit, UserManager<GatewayUser> users, UserAccessCheck accessCheck, IdentityMetrics metrics,
    TimeProvider time, ILogger<SignInAudit> logger)
{
    private const string ActingRole = "User";

    public async Task SignedInAsync(HttpContext context, GatewayUser user, string method)
    {
        metrics.SignIn("success");
        logger.SignedIn(user.Id, method);
        await audit.RecordAsync(user.Id, Metadata(context, user), new UserSignedIn(user.Id, method, time.GetUtcNow()), context.RequestAborted);
    }

    /// <summary>
    /// A failure for a known account; <paramref name="throttled"/> is the block it started for its source address, if
    /// any, and <paramref name="newlyLocked"/> says it locked the whole account (wrong second-factor codes only).
    /// </summary>
    public async Task FailedAsync(HttpContext context, GatewayUser user, string reason, (int Round, DateTimeOffset Until)? throttled, bool newlyLocked = false)
    {
        metrics.SignIn("failure");
        var failures = await users.GetAccessFailedCountAsync(user);
        logger.SignInFailed(user.Id, reason, failures);
        var now = time.GetUtcNow();
        List<object> events = [new UserSignInFailed(user.Id, reason, failures, now)];
        if (throttled is { } block)
        {
            logger.SignInThrottled(user.Id, block.Until);
            events.Add(new UserSignInThrottled(user.Id, block.Round, block.Until, now));
        }
        if (newlyLocked && await users.GetLockoutEndDateAsync(user) is { } lockedUntil)
        {
            metrics.Lockout();
            logger.LockedOut(user.Id, lockedUntil);
            accessCheck.Invalidate(user.Id);
            events.Add(new UserLockedOut(user.Id, lockedUntil, now));
        }
        await audit.RecordAsync(user.Id, Metadata(context, user), [.. events], context.RequestAborted);
    }

    /// <summary>A failure for an address no account has: audited without the address, in <see cref="IdentityAuditLog.UnknownAccountsStream"/>.</summary>
    public async Task UnknownAccountAsync(HttpContext context, string reason)
    {
        metrics.SignIn("failure");
        logger.SignInFailedUnknownAccount();
        await audit.RecordAsync(IdentityAuditLog.UnknownAccountsStream, new EventMetadata("anonymous", "Anonymous", context.GetCorrelationId()),
            new UnknownAccountSignInFailed(reason, time.GetUtcNow()), context.RequestAborted);
    }

    public async Task PasswordChangedAsync(HttpContext context, GatewayUser user)
    {
        accessCheck.Invalidate(user.Id);
        await audit.RecordAsync(user.Id, Metadata(context, user), new UserPasswordChanged(user.Id, time.GetUtcNow()), context.RequestAborted);
    }

    private static EventMetadata Metadata(HttpContext context, GatewayUser user) =>
        new(user.Id.ToString(), ActingRole, context.GetCorrelationId());
}
