using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ReleaseGateway.BrowserTests.Infrastructure;

/// <summary>
/// One person at the gateway: their own private browser window (cookies, downloads) and the page they look at.
/// Everything they do goes through the pages, found the way assistive technology finds them: by label and by role.
/// </summary>
public sealed class Person(TestUser user, IBrowserContext context, IPage page) : IAsyncDisposable
{
    public TestUser User => user;

    public IPage Page => page;

    public string Email => user.Email;

    /// <summary>
    /// Opens the web interface and signs in through the gateway's own OpenID Connect flow (the pages redirect to the
    /// authorization endpoint, which shows the sign-in page; code + PKCE back to <c>/ui/signin-oidc</c>). A one-time
    /// password is changed on the way, as at any first sign-in.
    /// </summary>
    public async Task SignInAsync()
    {
        await page.GotoAsync("/ui");
        await Expect(page).ToHaveTitleAsync("Sign in · ReleaseGateway");
        await page.GetByLabel("E-mail address").FillAsync(user.Email);
        await page.GetByLabel("Password").FillAsync(user.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        if (user.MustChangePassword)
        {
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Choose a new password" })).ToBeVisibleAsync();
            await page.GetByLabel("Current (one-time) password").FillAsync(user.Password);
            await page.GetByLabel("New password").FillAsync("a-passphrase-of-my-own-" + Guid.NewGuid().ToString("N")[..8]);
            await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        }
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/ui/?$"));
        await Expect(page.Locator("header.site")).ToContainTextAsync(user.Email);
    }

    /// <summary>Opens <paramref name="path"/> and checks it answered with a page, not an error.</summary>
    public async Task<IResponse> OpenAsync(string path)
    {
        var response = await page.GotoAsync(path) ?? throw new InvalidOperationException("No response for " + path);
        Assert.True(response.Ok, $"{path}: {response.Status} {await page.TitleAsync()}");
        return response;
    }

    /// <summary>Follows the main navigation's link named <paramref name="name"/>.</summary>
    public async Task NavigateAsync(string name)
    {
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = name, Exact = true }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
    }

    /// <summary>
    /// Runs axe-core (embedded in Deque.AxeCore.Playwright, injected into the page; nothing fetched) on the current
    /// page and fails on any serious or critical violation, naming the rule, its help and the elements.
    /// </summary>
    public async Task AssertAccessibleAsync()
    {
        var result = await page.RunAxe();
        var blocking = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(blocking.Count == 0, $"axe on {page.Url} ({await page.TitleAsync()}):\n" + string.Join("\n", blocking.Select(Describe)));
    }

    private static string Describe(AxeResultItem v) =>
        $"- {v.Impact} {v.Id}: {v.Help} ({v.HelpUrl})\n" + string.Join("\n", v.Nodes.Take(5).Select(n => $"    {n.Target}: {n.FailureSummary}"));

    public async ValueTask DisposeAsync() => await context.DisposeAsync();
}
