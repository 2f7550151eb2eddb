using System.Net;
using System.Text.Json;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.Problems;

namespace ReleaseGateway.IntegrationTests.Identity;

public sealed class TokenRejectionTestsOnSqlite(SqliteGatewayHost host) : TokenRejectionTests<SqliteGatewayHost>(host);

public sealed class TokenRejectionTestsOnPostgres(PostgresGatewayHost host) : TokenRejectionTests<PostgresGatewayHost>(host);

/// <summary>Tokens the API must refuse, each differing from an accepted one in one property.</summary>
public abstract class TokenRejectionTests<THost>(THost host) : IClassFixture<THost> where THost : GatewayHost
{
    private readonly TokenForge _forge = new(host);

    [Fact]
    public async Task Given_TokenForgedWithTheServerKeys_When_Presented_Then_Accepted_SoTheRefusalsBelowAreMeaningful()
    {
        var status = await CallMeAsync(_forge.Mint(await _forge.ForNewUserAsync(Roles.Researcher)));
        Assert.Equal(HttpStatusCode.OK, status.Status);
    }

    [Fact]
    public async Task Given_ForgedTokenForAUserWhoDoesNotExist_When_Presented_Then_401()
    {
        var result = await CallMeAsync(_forge.Mint(await _forge.ForNewUserAsync(Roles.Researcher) with { Subject = Guid.NewGuid().ToString() }));
        Assert.Equal((HttpStatusCode.Unauthorized, ErrorCodes.AuthenticationRequired), result);
    }

    [Fact]
    public async Task Given_ForgedTokenWithAnotherStamp_When_Presented_Then_401()
    {
        var result = await CallMeAsync(_forge.Mint(await _forge.ForNewUserAsync(Roles.Researcher) with { StampFingerprint = new string('0', 32) }));
        Assert.Equal((HttpStatusCode.Unauthorized, ErrorCodes.AuthenticationRequired), result);
    }

    [Fact]
    public async Task Given_NoToken_When_TheApiIsCalled_Then_401WithProblemCode()
    {
        using var client = host.CreateClient();
        var response = await client.GetAsync("/api/me");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(ErrorCodes.AuthenticationRequired, await CodeAsync(response));
    }

    [Fact]
    public async Task Given_ExpiredToken_When_Presented_Then_401()
    {
        var result = await CallMeAsync(_forge.Mint(await _forge.ForNewUserAsync(Roles.Researcher) with { ExpiresIn = TimeSpan.FromMinutes(-10) }));
        Assert.Equal((HttpStatusCode.Unauthorized, ErrorCodes.AuthenticationRequired), result);
    }

    [Fact]
    public async Task Given_TokenSignedWithAnotherKey_When_Presented_Then_401()
    {
        var result = await CallMeAsync(_forge.Mint(await _forge.ForNewUserAsync(Roles.Researcher) with { SignWithStrangerKey = true }));
        Assert.Equal((HttpStatusCode.Unauthorized, ErrorCodes.AuthenticationRequired), result);
    }

    [Fact]
    public async Task Given_TamperedToken_When_Presented_Then_401()
    {
        var token = await host.AccessTokenForRoleAsync(Roles.Researcher);
        var parts = token.Split('.');
        var ciphertext = parts[3].ToCharArray();
        ciphertext[ciphertext.Length / 2] = ciphertext[ciphertext.Length / 2] == 'A' ? 'B' : 'A';
        parts[3] = new string(ciphertext);

        var result = await CallMeAsync(string.Join('.', parts));

        Assert.Equal((HttpStatusCode.Unauthorized, ErrorCodes.AuthenticationRequired), result);
        Assert.Equal(HttpStatusCode.OK, (await CallMeAsync(token)).Status);
    }

    [Fact]
    public async Task Given_TokenForAnotherAudience_When_Presented_Then_401()
    {
        var result = await CallMeAsync(_forge.Mint(await _forge.ForNewUserAsync(Roles.Researcher) with { Audience = "another-api" }));
        Assert.Equal((HttpStatusCode.Unauthorized, ErrorCodes.AuthenticationRequired), result);
    }

    [Fact]
    public async Task Given_TokenWithoutApiScope_When_Presented_Then_403()
    {
        var result = await CallMeAsync(_forge.Mint(await _forge.ForNewUserAsync(Roles.Researcher) with { Scope = "openid profile" }));
        Assert.Equal((HttpStatusCode.Forbidden, ErrorCodes.AccessDenied), result);
    }

    [Fact]
    public async Task Given_RealTokenIssuedWithoutApiScope_When_Presented_Then_403()
    {
        var tokens = await host.SignInAsync(await host.CreateUserAsync(Roles.Administrator), scope: "openid profile");
        Assert.Equal((HttpStatusCode.Forbidden, ErrorCodes.AccessDenied), await CallMeAsync(tokens.AccessToken));
    }

    [Fact]
    public async Task Given_SignInCookieOnly_When_TheApiIsCalled_Then_NotAuthorized()
    {
        var user = await host.CreateUserAsync(Roles.Administrator);
        using var browser = host.CreateBrowser();
        await OAuth.AuthorizeAsync(browser, user);

        var response = await browser.GetAsync("/api/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Given_GarbageToken_When_Presented_Then_401()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallMeAsync("not-a-token")).Status);
    }

    private async Task<(HttpStatusCode Status, string? Code)> CallMeAsync(string token)
    {
        using var client = host.CreateClient(token);
        var response = await client.GetAsync("/api/me");
        return (response.StatusCode, response.IsSuccessStatusCode ? null : await CodeAsync(response));
    }

    private static async Task<string?> CodeAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        return body.Length == 0 ? null : JsonDocument.Parse(body).RootElement.GetProperty("code").GetString();
    }
}
