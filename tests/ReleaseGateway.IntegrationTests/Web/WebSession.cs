using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using ReleaseGateway.IntegrationTests.Infrastructure;

namespace ReleaseGateway.IntegrationTests.Web;

/// <summary>A page as the browser received it.</summary>
internal sealed record WebPage(HttpStatusCode Status, string Html, HttpResponseMessage Response)
{
    /// <summary>The page's antiforgery token (every form on a page carries the same one).</summary>
    public string Token => WebSession.AntiforgeryToken(Html);

    /// <summary>The text of the element with this id (an error message beside its field, say), tags stripped.</summary>
    public string? TextOf(string id)
    {
        var match = Regex.Match(Html, $"<(\\w+)[^>]*\\bid=\"{Regex.Escape(id)}\"[^>]*>(.*?)</\\1>", RegexOptions.Singleline);
        return match.Success ? WebUtility.HtmlDecode(Regex.Replace(match.Groups[2].Value, "<[^>]+>", "")).Trim() : null;
    }

    /// <summary>The opening tag of the element with this id.</summary>
    public string? TagOf(string id) => Regex.Match(Html, $"<[^>]*\\bid=\"{Regex.Escape(id)}\"[^>]*>") is { Success: true } m ? m.Value : null;

    public string Title => WebUtility.HtmlDecode(Regex.Match(Html, "<title>(.*?)</title>", RegexOptions.Singleline).Groups[1].Value);
}

/// <summary>
/// A person using the web interface: a cookie-keeping browser signed in through the gateway's own OpenID Connect
/// flow exactly as a real browser would be (redirect to the authorization endpoint, the sign-in form, back to the
/// callback), then reading pages and posting their forms with the token each page rendered.
/// </summary>
internal sealed partial class WebSession(Browser browser, TestUser user) : IDisposable
{
    public Browser Browser => browser;

    public TestUser User => user;

    public static async Task<WebSession> SignInAsync(GatewayHost host, TestUser user)
    {
        var browser = host.CreateBrowser();
        var loginPage = await browser.FollowAsync(await browser.GetAsync("/ui"));
        Assert.Equal(HttpStatusCode.OK, loginPage.StatusCode);
        var signedIn = await OAuth.SubmitLoginAsync(browser, loginPage, user);
        var home = await browser.FollowAsync(signedIn);
        var html = await home.Content.ReadAsStringAsync();
        Assert.True(home.StatusCode == HttpStatusCode.OK, $"sign-in ended with {(int)home.StatusCode}: {html}");
        Assert.Contains(user.Email, html);
        return new WebSession(browser, user);
    }

    public async Task<WebPage> GetAsync(string path) => await ReadAsync(await browser.GetAsync(path));

    /// <summary>Posts a form of <paramref name="page"/> to <paramref name="action"/> with the page's antiforgery token.</summary>
    public async Task<WebPage> PostAsync(WebPage page, string action, params (string Name, string Value)[] fields) =>
        await ReadAsync(await browser.PostFormAsync(action, [.. fields.Select(f => KeyValuePair.Create(f.Name, f.Value)), new("__RequestVerificationToken", page.Token)]));

    /// <summary>Posts a multipart form (file uploads) with the page's antiforgery token.</summary>
    public async Task<WebPage> PostFilesAsync(WebPage page, string action, (string Name, string Value)[] fields, params (string Name, string FileName, string Content)[] files)
    {
        using var content = new MultipartFormDataContent();
        foreach (var (name, value) in fields) content.Add(new StringContent(value), name);
        foreach (var (name, fileName, text) in files)
        {
            var file = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
            file.Headers.ContentType = new MediaTypeHeaderValue(fileName.EndsWith(".csv", StringComparison.Ordinal) ? "text/csv" : "application/json");
            content.Add(file, name, fileName);
        }
        content.Add(new StringContent(page.Token), "__RequestVerificationToken");
        using var request = new HttpRequestMessage(HttpMethod.Post, action) { Content = content };
        return await ReadAsync(await browser.SendAsync(request));
    }

    /// <summary>Follows a post-redirect-get to the page it lands on.</summary>
    public async Task<WebPage> FollowAsync(WebPage page) => await ReadAsync(await browser.FollowAsync(page.Response));

    public static string AntiforgeryToken(string html)
    {
        var input = TokenInput().Match(html);
        if (!input.Success) throw new InvalidOperationException("The page has no antiforgery field:\n" + html);
        return WebUtility.HtmlDecode(Regex.Match(input.Value, "value=\"([^\"]+)\"").Groups[1].Value);
    }

    public void Dispose() => browser.Dispose();

    private static async Task<WebPage> ReadAsync(HttpResponseMessage response) => new(response.StatusCode, await response.Content.ReadAsStringAsync(), response);

    [GeneratedRegex("<input[^>]*name=\"__RequestVerificationToken\"[^>]*>")]
    private static partial Regex TokenInput();
}
