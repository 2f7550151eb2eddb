using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.WebUtilities;
using ReleaseGateway.Identity.Authorization;

namespace ReleaseGateway.IntegrationTests.Infrastructure;

public sealed record TokenSet(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("refresh_token")] string? RefreshToken,
    [property: JsonPropertyName("id_token")] string? IdToken,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("scope")] string? Scope);

public sealed record TokenError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string? Description);

/// <summary>The OAuth steps of the flows, spelled out over raw HTTP so a test shows each of them.</summary>
public static class OAuth
{
    public const string DefaultScope = "openid offline_access " + GatewayScopes.Api;

    /// <summary>The redirect URI a CLI would listen on; nothing listens, the test reads the code from the Location header.</summary>
    public const string LoopbackRedirectUri = "http://127.0.0.1:49152/callback";

    public static (string Verifier, string Challenge) CreatePkce()
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (verifier, Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    public static string AuthorizeUrl(string challenge, string state, string scope = DefaultScope, string redirectUri = LoopbackRedirectUri) =>
        QueryHelpers.AddQueryString("/connect/authorize", new Dictionary<string, string?>
        {
            ["client_id"] = GatewayScopes.CliClientId,
            ["response_type"] = "code",
            ["redirect_uri"] = redirectUri,
            ["scope"] = scope,
            ["state"] = state,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
        });

    /// <summary>Authorization code + PKCE: authorize, get sent to the login page, sign in, come back, exchange the code.</summary>
    public static async Task<TokenSet> SignInWithAuthorizationCodeAsync(Browser browser, TestUser user, string scope = DefaultScope)
    {
        using (browser)
        {
            var code = await AuthorizeAsync(browser, user, scope);
            var (verifier, _) = code;
            var response = await browser.PostFormAsync("/connect/token", CodeExchange(code.Code, verifier));
            return await ReadTokensAsync(response);
        }
    }

    /// <summary>Runs the browser part and returns the code with its verifier.</summary>
    public static async Task<(string Verifier, string Code)> AuthorizeAsync(Browser browser, TestUser user, string scope = DefaultScope)
    {
        var (verifier, challenge) = CreatePkce();
        var state = Guid.NewGuid().ToString("N");
        var toLogin = await browser.GetAsync(AuthorizeUrl(challenge, state, scope));
        var loginPage = await browser.FollowAsync(toLogin);
        var signedIn = await SubmitLoginAsync(browser, loginPage, user);
        var callback = await browser.FollowAsync(signedIn);
        var location = callback.Headers.Location ?? throw new InvalidOperationException($"No redirect to the client: {(int)callback.StatusCode} {await callback.Content.ReadAsStringAsync()}");
        if (!location.ToString().StartsWith(LoopbackRedirectUri, StringComparison.Ordinal))
            throw new InvalidOperationException("Unexpected redirect " + location);
        var query = QueryHelpers.ParseQuery(location.Query);
        if (query["state"] != state) throw new InvalidOperationException("The state did not round-trip.");
        return (verifier, query["code"].ToString());
    }

    public static async Task<HttpResponseMessage> SubmitLoginAsync(Browser browser, HttpResponseMessage loginPage, TestUser user, string? password = null)
    {
        var html = await loginPage.Content.ReadAsStringAsync();
        var returnUrl = System.Text.RegularExpressions.Regex.Match(html, "name=\"returnUrl\" value=\"([^\"]*)\"").Groups[1].Value;
        return await browser.SubmitAsync(html, "/account/login",
        [
            new("email", user.Email),
            new("password", password ?? user.Password),
            new("returnUrl", WebUtility.HtmlDecode(returnUrl)),
        ]);
    }

    public static KeyValuePair<string, string>[] CodeExchange(string code, string verifier) =>
    [
        new("grant_type", "authorization_code"),
        new("code", code),
        new("redirect_uri", LoopbackRedirectUri),
        new("client_id", GatewayScopes.CliClientId),
        new("code_verifier", verifier),
    ];

    public static KeyValuePair<string, string>[] Refresh(string refreshToken) =>
    [
        new("grant_type", "refresh_token"),
        new("refresh_token", refreshToken),
        new("client_id", GatewayScopes.CliClientId),
    ];

    public static async Task<TokenSet> ReadTokensAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"Token request failed: {(int)response.StatusCode} {body}");
        return JsonSerializer.Deserialize<TokenSet>(body)!;
    }

    public static async Task<TokenError> ReadErrorAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<TokenError>())!;

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
