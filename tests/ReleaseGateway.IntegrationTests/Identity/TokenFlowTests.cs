using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using ReleaseGateway.Identity.Audit;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Identity.Users;
using ReleaseGateway.IntegrationTests.Infrastructure;

namespace ReleaseGateway.IntegrationTests.Identity;

public sealed class TokenFlowTestsOnSqlite(SqliteGatewayHost host) : TokenFlowTests<SqliteGatewayHost>(host);

public sealed class TokenFlowTestsOnPostgres(PostgresGatewayHost host) : TokenFlowTests<PostgresGatewayHost>(host);

/// <summary>Every grant the gateway supports, driven over raw HTTP against the real host.</summary>
public abstract class TokenFlowTests<THost>(THost host) : IClassFixture<THost> where THost : GatewayHost
{
    [Fact]
    public async Task Given_AuthorizationCodeWithPkce_When_SignedInThroughTheLoginPage_Then_TheTokenCallsTheApi()
    {
        var user = await host.CreateUserAsync(Roles.Researcher);
        using var browser = host.CreateBrowser();
        var (verifier, challenge) = OAuth.CreatePkce();

        var toLogin = await browser.GetAsync(OAuth.AuthorizeUrl(challenge, "state-1"));
        Assert.Equal(HttpStatusCode.Redirect, toLogin.StatusCode);
        Assert.StartsWith("/account/login", browser.Location(toLogin).ToString());

        var loginPage = await browser.FollowAsync(toLogin);
        var html = await loginPage.Content.ReadAsStringAsync();
        Assert.Contains("<label for=\"password\">", html);
        Assert.DoesNotContain("<script", html);

        var back = await OAuth.SubmitLoginAsync(browser, loginPage, user);
        Assert.StartsWith("/connect/authorize", browser.Location(back).ToString());
        var callback = await browser.FollowAsync(back);
        var location = callback.Headers.Location!;
        Assert.StartsWith(OAuth.LoopbackRedirectUri, location.ToString());
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal("state-1", query["state"]);

        var tokens = await OAuth.ReadTokensAsync(await browser.PostFormAsync("/connect/token", OAuth.CodeExchange(query["code"]!, verifier)));
        Assert.NotNull(tokens.RefreshToken);
        Assert.NotNull(tokens.IdToken);

        using var api = host.CreateClient(tokens.AccessToken);
        var me = await api.GetFromJsonAsync<MeResponse>("/api/me");
        Assert.Equal(user.Id.ToString(), me!.Id);
        Assert.False(me.IsServiceClient);
        Assert.Equal([Roles.Researcher], me.Roles);
    }

    [Fact]
    public async Task Given_AuthorizationCode_When_RedeemedWithAWrongVerifier_Then_Refused()
    {
        var user = await host.CreateUserAsync(Roles.Researcher);
        using var browser = host.CreateBrowser();
        var (_, code) = await OAuth.AuthorizeAsync(browser, user);
        var (otherVerifier, _) = OAuth.CreatePkce();

        var response = await browser.PostFormAsync("/connect/token", OAuth.CodeExchange(code, otherVerifier));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_grant", (await OAuth.ReadErrorAsync(response)).Error);
    }

    [Fact]
    public async Task Given_AuthorizationRequestWithoutPkce_When_Sent_Then_Refused()
    {
        using var browser = host.CreateBrowser();
        var url = QueryHelpers.AddQueryString("/connect/authorize", new Dictionary<string, string?>
        {
            ["client_id"] = GatewayScopes.CliClientId, ["response_type"] = "code", ["redirect_uri"] = OAuth.LoopbackRedirectUri,
            ["scope"] = OAuth.DefaultScope,
        });

        var response = await browser.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Given_UnregisteredRedirect_When_AuthorizationIsRequested_Then_RefusedWithoutRedirecting()
    {
        using var browser = host.CreateBrowser();
        var (_, challenge) = OAuth.CreatePkce();

        var response = await browser.GetAsync(OAuth.AuthorizeUrl(challenge, "s", redirectUri: "http://attacker.example/callback"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Given_DeviceFlow_When_PolledBeforeAndAfterTheUserApproves_Then_ItIsPendingThenIssuesTokens()
    {
        var user = await host.CreateUserAsync(Roles.CommitteeMember);
        using var device = host.CreateClient();
        var authorization = await device.PostAsync("/connect/device", new FormUrlEncodedContent(
            [new("client_id", GatewayScopes.CliClientId), new("scope", OAuth.DefaultScope)]));
        Assert.Equal(HttpStatusCode.OK, authorization.StatusCode);
        var body = await authorization.Content.ReadFromJsonAsync<JsonElement>();
        var deviceCode = body.GetProperty("device_code").GetString()!;
        var userCode = body.GetProperty("user_code").GetString()!;
        var verificationUri = new Uri(body.GetProperty("verification_uri_complete").GetString()!);
        KeyValuePair<string, string>[] poll =
            [new("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), new("device_code", deviceCode), new("client_id", GatewayScopes.CliClientId)];

        var pending = await device.PostAsync("/connect/token", new FormUrlEncodedContent(poll));
        Assert.Equal("authorization_pending", (await OAuth.ReadErrorAsync(pending)).Error);

        using var browser = host.CreateBrowser();
        var toLogin = await browser.GetAsync(verificationUri.PathAndQuery);
        var loginPage = await browser.FollowAsync(toLogin);
        var verifyPage = await browser.FollowAsync(await OAuth.SubmitLoginAsync(browser, loginPage, user));
        var verifyHtml = await verifyPage.Content.ReadAsStringAsync();
        Assert.Contains(GatewayScopes.CliClientId, verifyHtml);
        var approved = await browser.SubmitAsync(verifyHtml, "/connect/verify", [new("user_code", userCode), new("decision", "approve")]);
        Assert.Equal("/account/device-approved", browser.Location(approved).ToString());

        var tokens = await OAuth.ReadTokensAsync(await device.PostAsync("/connect/token", new FormUrlEncodedContent(poll)));
        using var api = host.CreateClient(tokens.AccessToken);
        var me = await api.GetFromJsonAsync<MeResponse>("/api/me");
        Assert.Equal(user.Id.ToString(), me!.Id);
        Assert.True(me.Policies[Policies.Committee]);
    }

    [Fact]
    public async Task Given_DeviceFlow_When_TheUserDenies_Then_TheTokenRequestIsRefused()
    {
        var user = await host.CreateUserAsync(Roles.Researcher);
        using var device = host.CreateClient();
        var body = await (await device.PostAsync("/connect/device", new FormUrlEncodedContent(
            [new("client_id", GatewayScopes.CliClientId), new("scope", OAuth.DefaultScope)]))).Content.ReadFromJsonAsync<JsonElement>();

        using var browser = host.CreateBrowser();
        var loginPage = await browser.FollowAsync(await browser.GetAsync(new Uri(body.GetProperty("verification_uri_complete").GetString()!).PathAndQuery));
        var verifyPage = await browser.FollowAsync(await OAuth.SubmitLoginAsync(browser, loginPage, user));
        await browser.SubmitAsync(await verifyPage.Content.ReadAsStringAsync(), "/connect/verify",
            [new("user_code", body.GetProperty("user_code").GetString()!), new("decision", "deny")]);

        var response = await device.PostAsync("/connect/token", new FormUrlEncodedContent(
        [
            new("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            new("device_code", body.GetProperty("device_code").GetString()!), new("client_id", GatewayScopes.CliClientId),
        ]));
        Assert.Equal("access_denied", (await OAuth.ReadErrorAsync(response)).Error);
    }

    [Fact]
    public async Task Given_ClientCredentials_When_ATokenIsRequested_Then_ItCarriesTheClientsRoles()
    {
        var client = await host.CreateServiceClientAsync(Roles.DataSteward);
        using var http = host.CreateClient();

        var tokens = await OAuth.ReadTokensAsync(await http.PostAsync("/connect/token", new FormUrlEncodedContent(
        [
            new("grant_type", "client_credentials"), new("client_id", client.ClientId), new("client_secret", client.ClientSecret),
            new("scope", GatewayScopes.Api),
        ])));

        using var api = host.CreateClient(tokens.AccessToken);
        var me = await api.GetFromJsonAsync<MeResponse>("/api/me");
        Assert.Equal(client.ClientId, me!.Id);
        Assert.True(me.IsServiceClient);
        Assert.True(me.Policies[Policies.Steward]);
        Assert.False(me.Policies[Policies.Admin]);
        Assert.Null(tokens.RefreshToken);
    }

    [Fact]
    public async Task Given_WrongClientSecret_When_ATokenIsRequested_Then_Refused()
    {
        var client = await host.CreateServiceClientAsync(Roles.DataSteward);
        using var http = host.CreateClient();

        var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(
        [
            new("grant_type", "client_credentials"), new("client_id", client.ClientId), new("client_secret", client.ClientSecret + "x"),
            new("scope", GatewayScopes.Api),
        ]));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (await OAuth.ReadErrorAsync(response)).Error);
    }

    [Fact]
    public async Task Given_RefreshToken_When_UsedAndThenReplayed_Then_ItRotatesAndTheReplayIsRefused()
    {
        var user = await host.CreateUserAsync(Roles.Researcher);
        var first = await host.SignInAsync(user);
        using var http = host.CreateClient();

        var second = await OAuth.ReadTokensAsync(await http.PostAsync("/connect/token", new FormUrlEncodedContent(OAuth.Refresh(first.RefreshToken!))));
        Assert.NotNull(second.RefreshToken);
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        using (var api = host.CreateClient(second.AccessToken))
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/me")).StatusCode);

        var replay = await http.PostAsync("/connect/token", new FormUrlEncodedContent(OAuth.Refresh(first.RefreshToken!)));
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal("invalid_grant", (await OAuth.ReadErrorAsync(replay)).Error);
    }

    [Fact]
    public async Task Given_RoleRevoked_When_TheRefreshTokenIsUsed_Then_Refused()
    {
        var user = await host.CreateUserAsync(Roles.Researcher, Roles.DataSteward);
        var tokens = await host.SignInAsync(user);
        var (admin, administrator) = await host.CreateClientForRoleAsync(Roles.Administrator);
        using (admin)
        {
            var revoke = await admin.PostAsJsonAsync("/api/admin/users/roles/revoke", new ChangeRoleRequest(user.Email, Roles.DataSteward));
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }
        using var http = host.CreateClient();

        var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(OAuth.Refresh(tokens.RefreshToken!)));

        Assert.Equal("invalid_grant", (await OAuth.ReadErrorAsync(response)).Error);
        var revoked = Assert.Single(await host.EventStore.FetchStreamAsync(user.Id), e => e.Data is UserRoleRevoked);
        Assert.Equal((administrator.Id.ToString(), Roles.Administrator), (revoked.Metadata.ActorId, revoked.Metadata.ActorRole));
        using var fresh = host.CreateClient((await host.SignInAsync(user)).AccessToken);
        Assert.Equal([Roles.Researcher], (await fresh.GetFromJsonAsync<MeResponse>("/api/me"))!.Roles);
    }
}
