using System.Net;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using OtpNet;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Audit;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Identity.Users;
using ReleaseGateway.IntegrationTests.Infrastructure;

namespace ReleaseGateway.IntegrationTests.Identity;

public sealed class SignInTestsOnSqlite(SqliteGatewayHost host) : SignInTests<SqliteGatewayHost>(host);

public sealed class SignInTestsOnPostgres(PostgresGatewayHost host) : SignInTests<PostgresGatewayHost>(host);

/// <summary>The sign-in page: lockout, second factor, one-time passwords, and what the audit log keeps of it all.</summary>
public abstract class SignInTests<THost>(THost host) : IClassFixture<THost> where THost : GatewayHost
{
    private const int MaxFailedAttempts = 3; // GatewayHost's setting

    [Fact]
    public async Task Given_MaxFailedAttemptsFromOneAddress_When_TheRightPasswordIsTried_Then_ItGetsTheSameRefusal()
    {
        var user = await host.CreateUserAsync(Roles.Researcher);
        using var browser = host.CreateBrowser();
        for (var attempt = 1; attempt < MaxFailedAttempts; attempt++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(browser, user, "wrong-password-123")).StatusCode);

        var throttling = await LoginAsync(browser, user, "wrong-password-123");
        var withRightPassword = await LoginAsync(browser, user, user.Password);

        // No "locked" answer that would tell an existing account from an unknown one (issue 15).
        Assert.Equal(HttpStatusCode.Unauthorized, throttling.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, withRightPassword.StatusCode);
        Assert.Equal(WithoutAntiforgery(await throttling.Content.ReadAsStringAsync()), WithoutAntiforgery(await withRightPassword.Content.ReadAsStringAsync()));
        Assert.Contains("RG1004", await withRightPassword.Content.ReadAsStringAsync());
        var events = await EventTypesAsync(user.Id);
        Assert.Equal(
            [nameof(UserCreated), .. Enumerable.Repeat(nameof(UserSignInFailed), MaxFailedAttempts), nameof(UserSignInThrottled), nameof(UserSignInFailed)],
            events);
    }

    [Fact]
    public async Task Given_UnknownAccount_When_SigningIn_Then_TheAnswerIsTheSameAsForAWrongPassword()
    {
        var known = await host.CreateUserAsync(Roles.Researcher);
        using var browser = host.CreateBrowser();

        var wrongPassword = await LoginAsync(browser, known, "wrong-password-123");
        var unknown = await LoginAsync(browser, known with { Email = "nobody@example.test" }, "wrong-password-123");

        Assert.Equal(wrongPassword.StatusCode, unknown.StatusCode);
        Assert.Equal(WithoutAntiforgery(await wrongPassword.Content.ReadAsStringAsync()), WithoutAntiforgery(await unknown.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Given_LoginPostWithoutAntiforgeryToken_When_Sent_Then_Rejected()
    {
        var user = await host.CreateUserAsync(Roles.Researcher);
        using var browser = host.CreateBrowser();

        var response = await browser.PostFormAsync("/account/login", [new("email", user.Email), new("password", user.Password), new("returnUrl", "/")]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal([nameof(UserCreated)], await EventTypesAsync(user.Id));
    }

    [Fact]
    public async Task Given_ReturnUrlToAnotherSite_When_SignedIn_Then_ItIsReplacedByTheSiteRoot()
    {
        var user = await host.CreateUserAsync(Roles.Researcher);
        using var browser = host.CreateBrowser();
        var page = await (await browser.GetAsync("/account/login")).Content.ReadAsStringAsync();

        var response = await browser.SubmitAsync(page, "/account/login",
            [new("email", user.Email), new("password", user.Password), new("returnUrl", "//evil.example/steal")]);

        Assert.Equal("/", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Given_TotpEnabled_When_SigningIn_Then_TheAuthenticatorCodeIsNeeded()
    {
        var user = await host.CreateUserAsync(Roles.CommitteeMember);
        string uri;
        await using (var scope = host.Services.CreateAsyncScope())
            uri = await scope.ServiceProvider.GetRequiredService<UserAdministration>().EnableTotpAsync(user.Email, EventMetadata.System("test"));
        var totp = new Totp(Base32Encoding.ToBytes(QueryHelpers.ParseQuery(new Uri(uri).Query)["secret"]!));
        using var browser = host.CreateBrowser();
        var (_, challenge) = OAuth.CreatePkce();
        var loginPage = await browser.FollowAsync(await browser.GetAsync(OAuth.AuthorizeUrl(challenge, "s")));

        var toTotp = await OAuth.SubmitLoginAsync(browser, loginPage, user);
        Assert.StartsWith("/account/login/totp", browser.Location(toTotp).ToString());
        var totpPage = await (await browser.FollowAsync(toTotp)).Content.ReadAsStringAsync();
        var returnUrl = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(totpPage, "name=\"returnUrl\" value=\"([^\"]*)\"").Groups[1].Value);

        var wrong = await browser.SubmitAsync(totpPage, "/account/login/totp", [new("code", WrongCode(totp)), new("returnUrl", returnUrl)]);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        var right = await browser.SubmitAsync(await wrong.Content.ReadAsStringAsync(), "/account/login/totp",
            [new("code", totp.ComputeTotp()), new("returnUrl", returnUrl)]);
        var callback = await browser.FollowAsync(right);

        Assert.StartsWith(OAuth.LoopbackRedirectUri, callback.Headers.Location!.ToString());
        Assert.Contains("code=", callback.Headers.Location.Query);
        var events = await host.EventStore.FetchStreamAsync(user.Id);
        Assert.Contains(events, e => e.Data is UserSignedIn { Method: SignInMethods.PasswordAndTotp });
        Assert.Contains(events, e => e.Data is UserSignInFailed { Reason: SignInFailureReasons.WrongSecondFactor });
    }

    [Fact]
    public async Task Given_TotpWithRecoveryCodes_When_ARecoveryCodeIsTyped_Then_ItSignsInOnce()
    {
        var user = await host.CreateUserAsync(Roles.CommitteeMember);
        IReadOnlyList<string> codes;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var admin = scope.ServiceProvider.GetRequiredService<UserAdministration>();
            await admin.EnableTotpAsync(user.Email, EventMetadata.System("test"));
            codes = await admin.IssueRecoveryCodesAsync(user.Email, EventMetadata.System("test"));
        }
        Assert.Equal(10, codes.Distinct().Count());

        async Task<HttpResponseMessage> TypeAsync(string code)
        {
            using var browser = host.CreateBrowser();
            var (_, challenge) = OAuth.CreatePkce();
            var loginPage = await browser.FollowAsync(await browser.GetAsync(OAuth.AuthorizeUrl(challenge, "s")));
            var toTotp = await OAuth.SubmitLoginAsync(browser, loginPage, user);
            var totpPage = await (await browser.FollowAsync(toTotp)).Content.ReadAsStringAsync();
            Assert.Contains("recovery codes", totpPage);
            var returnUrl = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(totpPage, "name=\"returnUrl\" value=\"([^\"]*)\"").Groups[1].Value);
            return await browser.SubmitAsync(totpPage, "/account/login/totp", [new("code", code), new("returnUrl", returnUrl)]);
        }

        var first = await TypeAsync(codes[0]);
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        var again = await TypeAsync(codes[0]);
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        var events = await host.EventStore.FetchStreamAsync(user.Id);
        Assert.Contains(events, e => e.Data is UserRecoveryCodesIssued { Count: 10 });
        Assert.Contains(events, e => e.Data is UserSignedIn { Method: SignInMethods.PasswordAndRecoveryCode });
        // The codes themselves are nowhere in the log.
        Assert.DoesNotContain(events, e => e.Body.Contains(codes[1], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Given_AForgottenPassword_When_AnAdministratorResetsIt_Then_OnlyTheOneTimePasswordWorks_AndMustBeChanged()
    {
        var user = await host.CreateUserAsync(Roles.Researcher);
        string oneTime;
        await using (var scope = host.Services.CreateAsyncScope())
            oneTime = await scope.ServiceProvider.GetRequiredService<UserAdministration>().ResetPasswordAsync(user.Email, EventMetadata.System("test"));
        using var browser = host.CreateBrowser();
        var (_, challenge) = OAuth.CreatePkce();

        var oldPassword = await OAuth.SubmitLoginAsync(browser, await browser.FollowAsync(await browser.GetAsync(OAuth.AuthorizeUrl(challenge, "s"))), user);
        Assert.Equal(HttpStatusCode.Unauthorized, oldPassword.StatusCode);
        var toChange = await OAuth.SubmitLoginAsync(browser, await browser.FollowAsync(await browser.GetAsync(OAuth.AuthorizeUrl(challenge, "s"))),
            user with { Password = oneTime });
        Assert.StartsWith("/account/password", browser.Location(toChange).ToString());
        Assert.Contains(nameof(UserPasswordReset), await EventTypesAsync(user.Id));
    }

    [Fact]
    public async Task Given_OneTimePassword_When_SigningInForAClient_Then_ItMustBeChangedBeforeACodeIsIssued()
    {
        var email = $"otp-{Guid.NewGuid():N}@example.test";
        CreatedUser created;
        await using (var scope = host.Services.CreateAsyncScope())
            created = await scope.ServiceProvider.GetRequiredService<UserAdministration>()
                .CreateUserAsync(email, [Roles.DataSteward], password: null, EventMetadata.System("test"));
        var user = new TestUser(created.Id, email, created.OneTimePassword!, [Roles.DataSteward]);
        using var browser = host.CreateBrowser();
        var (_, challenge) = OAuth.CreatePkce();
        var loginPage = await browser.FollowAsync(await browser.GetAsync(OAuth.AuthorizeUrl(challenge, "s")));

        var toChange = await OAuth.SubmitLoginAsync(browser, loginPage, user);
        Assert.StartsWith("/account/password", browser.Location(toChange).ToString());
        var changePage = await (await browser.FollowAsync(toChange)).Content.ReadAsStringAsync();
        var returnUrl = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(changePage, "name=\"returnUrl\" value=\"([^\"]*)\"").Groups[1].Value);
        var changed = await browser.SubmitAsync(changePage, "/account/password",
            [new("current", user.Password), new("new", "a much longer passphrase"), new("returnUrl", returnUrl)]);
        var callback = await browser.FollowAsync(changed);

        Assert.Contains("code=", callback.Headers.Location!.Query);
        Assert.Contains(nameof(UserPasswordChanged), await EventTypesAsync(user.Id));
    }

    [Fact]
    public async Task Given_SignIns_When_TheAuditLogIsRead_Then_TheyAreRecordedWithoutEmailOrPassword()
    {
        var user = await host.CreateUserAsync(Roles.Researcher);
        using var browser = host.CreateBrowser();
        await OAuth.AuthorizeAsync(browser, user);

        var events = await host.EventStore.FetchStreamAsync(user.Id);
        var signedIn = Assert.Single(events, e => e.Data is UserSignedIn);
        Assert.Equal(user.Id.ToString(), signedIn.Metadata.ActorId);
        await foreach (var stored in host.EventStore.ReadAllAsync())
        {
            Assert.DoesNotContain(user.Email, stored.Body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(user.Password, stored.Body, StringComparison.Ordinal);
            Assert.DoesNotContain(user.Email, stored.Metadata.ToString(), StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Given_OneUser_When_SigningInConcurrently_Then_EverySignInIsRecorded()
    {
        var user = await host.CreateUserAsync(Roles.Researcher);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            using var browser = host.CreateBrowser();
            await OAuth.AuthorizeAsync(browser, user);
        }));

        Assert.Equal(4, (await host.EventStore.FetchStreamAsync(user.Id)).Count(e => e.Data is UserSignedIn));
    }

    [Fact]
    public async Task Given_Client_When_AClientCredentialsTokenIsIssued_Then_ItIsRecordedInTheClientStream()
    {
        var client = await host.CreateServiceClientAsync(Roles.DataSteward);
        using var http = host.CreateClient();
        await OAuth.ReadTokensAsync(await http.PostAsync("/connect/token", new FormUrlEncodedContent(
        [
            new("grant_type", "client_credentials"), new("client_id", client.ClientId), new("client_secret", client.ClientSecret),
            new("scope", GatewayScopes.Api),
        ])));

        var events = await host.EventStore.FetchStreamAsync(client.ApplicationId);

        Assert.Equal([nameof(ServiceClientRegistered), nameof(TokenIssuedToClient)], events.Select(e => e.EventType));
        Assert.All(events, e => Assert.DoesNotContain(client.ClientSecret, e.Body, StringComparison.Ordinal));
    }

    private static async Task<HttpResponseMessage> LoginAsync(Browser browser, TestUser user, string password) =>
        await OAuth.SubmitLoginAsync(browser, await browser.GetAsync("/account/login"), user, password);

    private async Task<string[]> EventTypesAsync(Guid streamId) =>
        [.. (await host.EventStore.FetchStreamAsync(streamId)).Select(e => e.EventType)];

    private static string WithoutAntiforgery(string html) =>
        System.Text.RegularExpressions.Regex.Replace(html, "name=\"__RequestVerificationToken\" value=\"[^\"]+\"", "");

    private static string WrongCode(Totp totp)
    {
        var right = int.Parse(totp.ComputeTotp(), System.Globalization.CultureInfo.InvariantCulture);
        return ((right + 500_000) % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }
}
