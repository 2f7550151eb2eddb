using System.Net;
using Microsoft.AspNetCore.WebUtilities;
using ReleaseGateway.Identity.Audit;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.IntegrationTests.Infrastructure;

namespace ReleaseGateway.IntegrationTests.Web;

public sealed class WebSignInTestsOnSqlite(SqliteGatewayHost host) : WebSignInTests<SqliteGatewayHost>(host);

public sealed class WebSignInTestsOnPostgres(PostgresGatewayHost host) : WebSignInTests<PostgresGatewayHost>(host);

/// <summary>The web interface signs in through the gateway's own OpenID Connect server and keeps a session for its pages only.</summary>
public abstract class WebSignInTests<THost>(THost host) : IClassFixture<THost> where THost : GatewayHost
{
    [Fact]
    public async Task Given_WebUser_When_SigningIn_Then_ItGoesThroughTheAuthorizationEndpointWithPkceAndTheSessionCarriesTheirRoles()
    {
        var user = await host.CreateUserAsync(Roles.Researcher, Roles.CommitteeMember);
        using var browser = host.CreateBrowser();

        var challenge = await browser.GetAsync("/ui/requests");
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var authorize = browser.Location(challenge);
        Assert.Equal("/connect/authorize", authorize.OriginalString.Split('?')[0]);
        var query = QueryHelpers.ParseQuery(authorize.OriginalString[authorize.OriginalString.IndexOf('?')..]);
        Assert.Equal(GatewayScopes.WebClientId, query["client_id"]);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Equal(new Uri(host.BaseAddress, "/ui/signin-oidc").ToString(), query["redirect_uri"]);
        Assert.Contains(GatewayScopes.Api, query["scope"].ToString().Split(' '));

        var loginPage = await browser.FollowAsync(challenge);
        var back = await browser.FollowAsync(await OAuth.SubmitLoginAsync(browser, loginPage, user));
        var html = await back.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        Assert.Equal("/ui/requests", back.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("<h1>My requests</h1>", html);
        Assert.Contains(user.Email, html);
        Assert.Contains("Researcher, Committee member", html);
        Assert.Contains("href=\"/ui/committee\"", html);
        Assert.DoesNotContain("href=\"/ui/audit\"", html);
        var events = await host.EventStore.FetchStreamAsync(user.Id);
        Assert.Contains(events, e => e.Data is UserSignedIn);
    }

    [Fact]
    public async Task Given_SignedInWebUser_When_SigningOut_Then_BothSessionsEndAndTheNextVisitAsksForThePassword()
    {
        using var session = await WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.Researcher));
        var home = await session.GetAsync("/ui");

        var signedOut = await session.PostAsync(home, "/ui/signout");

        Assert.Equal(HttpStatusCode.Redirect, signedOut.Status);
        Assert.Contains("You are signed out", (await session.FollowAsync(signedOut)).Html);
        var again = await session.Browser.FollowAsync(await session.Browser.GetAsync("/ui"));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("/account/login", again.RequestMessage!.RequestUri!.AbsolutePath);
    }

    [Fact]
    public async Task Given_WebSessionCookie_When_TheApiIsCalled_Then_NotAuthorized()
    {
        using var session = await WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.Researcher));

        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/ui/requests")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await session.GetAsync("/requests/mine")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await session.GetAsync("/api/me")).Status);
    }

    [Fact]
    public async Task Given_RequestForAnotherHost_When_Received_Then_NoSignInStarts()
    {
        using var browser = host.CreateBrowser();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/ui/requests");
        request.Headers.Host = "internal.example:8080";

        var response = await browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/ui/error?status=400&reason=origin", response.Headers.Location!.OriginalString);
        var page = await browser.FollowAsync(response);
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Contains("Unknown address", await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Given_NoSession_When_TheIconIsRequested_Then_ItIsServed_SoNoPageLogsA401()
    {
        using var browser = host.CreateBrowser();

        foreach (var path in new[] { "/favicon.ico", "/ui/favicon.svg" })
        {
            var response = await browser.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("image/svg+xml", response.Content.Headers.ContentType!.MediaType);
            Assert.StartsWith("<svg", await response.Content.ReadAsStringAsync());
        }
    }
}
