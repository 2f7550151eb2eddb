using System.Net;
using System.Text.RegularExpressions;

namespace ReleaseGateway.IntegrationTests.Infrastructure;

/// <summary>
/// What a browser does on the sign-in pages, with a plain HttpClient: keeps cookies, lets the test see and follow
/// each redirect, and posts forms with the antiforgery token the page rendered.
/// </summary>
public sealed partial class Browser(Uri baseAddress) : IDisposable
{
    private readonly HttpClient _client = new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer(), UseCookies = true })
    {
        BaseAddress = baseAddress,
    };

    public Task<HttpResponseMessage> GetAsync(string url) => _client.GetAsync(url);

    /// <summary>Posts <paramref name="fields"/> plus the antiforgery token found in <paramref name="page"/>.</summary>
    public Task<HttpResponseMessage> SubmitAsync(string page, string action, IEnumerable<KeyValuePair<string, string>> fields) =>
        _client.PostAsync(action, new FormUrlEncodedContent([.. fields, new("__RequestVerificationToken", AntiforgeryToken(page))]));

    public Task<HttpResponseMessage> PostFormAsync(string action, IEnumerable<KeyValuePair<string, string>> fields) =>
        _client.PostAsync(action, new FormUrlEncodedContent(fields));

    /// <summary>Sends any request with this browser's cookies (a file upload, a forged Host header).</summary>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => _client.SendAsync(request);

    /// <summary>Follows redirects on this site until a page or a redirect elsewhere (e.g. the client's loopback URI).</summary>
    public async Task<HttpResponseMessage> FollowAsync(HttpResponseMessage response)
    {
        for (var hops = 0; hops < 10 && IsRedirect(response); hops++)
        {
            var location = Location(response);
            if (location.IsAbsoluteUri && !IsSameSite(location)) return response;
            response = await _client.GetAsync(location);
        }
        return response;
    }

    public Uri Location(HttpResponseMessage response)
    {
        var location = response.Headers.Location ?? throw new InvalidOperationException($"{(int)response.StatusCode} without a Location header.");
        return location.IsAbsoluteUri && IsSameSite(location) ? new Uri(location.PathAndQuery, UriKind.Relative) : location;
    }

    public static bool IsRedirect(HttpResponseMessage response) => (int)response.StatusCode is >= 300 and < 400;

    public static string AntiforgeryToken(string page)
    {
        var match = AntiforgeryInput().Match(page);
        if (!match.Success) throw new InvalidOperationException("The page has no antiforgery field:\n" + page);
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    public void Dispose() => _client.Dispose();

    private bool IsSameSite(Uri uri) => uri.Authority == _client.BaseAddress!.Authority;

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryInput();
}
