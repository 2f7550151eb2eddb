using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ReleaseGateway.BrowserTests.Infrastructure;

/// <summary>
/// One person at the gateway: their own private browser window (cookies, downloads) and the page they look at.
/// Everything they do goes through the pages, found the way assistive technology finds them: by label and by role.
/// </summary>
public sealed class Person : IAsyncDisposable
{
    private static readonly Lock AxeReportLock = new();
    private readonly TestUser _user;
    private readonly IBrowserContext _context;
    private readonly IPage _page;

    public Person(TestUser user, IBrowserContext context, IPage page)
    {
        (_user, _context, _page) = (user, context, page);
        // What the browser complains about (a style or frame the CSP refused, a sub-resource that failed) is a defect of
        // the pages. Failed loads are taken from the responses, which name the address; the browser's own favicon
        // request (the pages declare none) is not the pages' doing.
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
                ConsoleErrors.Add($"{page.Url}: {message.Text}");
        };
        page.PageError += (_, error) => ConsoleErrors.Add($"{page.Url}: {error}");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400 && response.Request.ResourceType != "document" && new Uri(response.Url).AbsolutePath != "/favicon.ico")
                ConsoleErrors.Add($"{page.Url}: {response.Status} for {response.Request.ResourceType} {response.Url}");
        };
    }

    /// <summary>Errors the browser reported on this person's pages (CSP refusals, failed loads).</summary>
    public List<string> ConsoleErrors { get; } = [];

    public TestUser User => _user;

    public IPage Page => _page;

    public string Email => _user.Email;

    /// <summary>
    /// Opens the web interface and signs in through the gateway's own OpenID Connect flow (the pages redirect to the
    /// authorization endpoint, which shows the sign-in page; code + PKCE back to <c>/ui/signin-oidc</c>). A one-time
    /// password is changed on the way, as at any first sign-in.
    /// </summary>
    public async Task SignInAsync()
    {
        await _page.GotoAsync("/ui");
        await Expect(_page).ToHaveTitleAsync("Sign in · ReleaseGateway");
        await _page.GetByLabel("E-mail address").FillAsync(_user.Email);
        await _page.GetByLabel("Password").FillAsync(_user.Password);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        if (_user.MustChangePassword)
        {
            await Expect(_page.GetByRole(AriaRole.Heading, new() { Name = "Choose a new password" })).ToBeVisibleAsync();
            await _page.GetByLabel("Current (one-time) password").FillAsync(_user.Password);
            await _page.GetByLabel("New password").FillAsync("a-passphrase-of-my-own-" + Guid.NewGuid().ToString("N")[..8]);
            await _page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        }
        await Expect(_page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/ui/?$"));
        await Expect(_page.Locator("header.site")).ToContainTextAsync(_user.Email);
    }

    /// <summary>Opens <paramref name="path"/> and checks it answered with a page, not an error.</summary>
    public async Task<IResponse> OpenAsync(string path)
    {
        var response = await _page.GotoAsync(path) ?? throw new InvalidOperationException("No response for " + path);
        Assert.True(response.Ok, $"{path}: {response.Status} {await _page.TitleAsync()}");
        return response;
    }

    /// <summary>Follows the main navigation's link named <paramref name="name"/>.</summary>
    public async Task NavigateAsync(string name)
    {
        var link = _page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = name, Exact = true });
        // The link to the page already open reloads it; waiting for that as a reload, because the next step would
        // otherwise find its elements on the page being replaced (and click into nothing).
        var href = await link.GetAttributeAsync("href");
        if (href == new Uri(_page.Url).PathAndQuery)
        {
            await _page.ReloadAsync();
            return;
        }
        await link.ClickAsync();
        await _page.WaitForURLAsync(url => new Uri(url).PathAndQuery == href, new() { WaitUntil = WaitUntilState.DOMContentLoaded });
    }

    /// <summary>
    /// Runs axe-core (embedded in Deque.AxeCore.Playwright, injected into the page; nothing fetched) on the current
    /// page and fails on any serious or critical violation, naming the rule, its help and the elements.
    /// <paramref name="refreshChosen"/>: the person asked this page to refresh itself, which axe cannot know
    /// (its meta-refresh rule flags any timed refresh; one the user turned on and can stop meets WCAG 2.2.1).
    /// </summary>
    public async Task AssertAccessibleAsync(bool refreshChosen = false)
    {
        // Not into frames: axe's frame pass waits forever on a sandboxed frame (no scripts there), which is how the
        // request and release pages embed the evaluation report; the tests scan that report as a page of its own.
        var options = new AxeRunOptions { Iframes = false };
        if (refreshChosen) options.Rules = new Dictionary<string, RuleOptions> { ["meta-refresh"] = new() { Enabled = false } };
        var result = await _page.RunAxe(options);
        lock (AxeReportLock)
        {
            // Every finding, minor ones too, for people to read beside the screenshots.
            File.AppendAllText(Path.Combine(Screenshots.Directory, "axe.txt"),
                $"{new Uri(_page.Url).AbsolutePath} ({_user.Role}): {result.Violations.Length} violations, {result.Passes.Length} rules passed\n"
                + string.Concat(result.Violations.Select(v => Describe(v) + "\n")));
        }
        var blocking = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(blocking.Count == 0, $"axe on {_page.Url} ({await _page.TitleAsync()}):\n" + string.Join("\n", blocking.Select(Describe)));
    }

    private static string Describe(AxeResultItem v) =>
        $"- {v.Impact} {v.Id}: {v.Help} ({v.HelpUrl})\n" + string.Join("\n", v.Nodes.Take(5).Select(n =>
            $"    {n.Target} {n.Html}: {string.Join("; ", n.Any.Concat(n.All).Concat(n.None).Select(c => c.Message))}"));

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
