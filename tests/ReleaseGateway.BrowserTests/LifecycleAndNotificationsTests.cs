using Microsoft.Playwright;
using ReleaseGateway.BrowserTests.Infrastructure;
using ReleaseGateway.Identity.Authorization;
using static Microsoft.Playwright.Assertions;

namespace ReleaseGateway.BrowserTests;

/// <summary>
/// Issue 20's pages in a real browser: a steward changes a dataset's policy and retires it on its lifecycle page (a
/// reason left out is refused beside the form, with nothing recorded), and the dataset page then shows it retired in its
/// history; a person chooses which notifications reach them by e-mail, and how often, and finds the choice kept (ADR 0058).
/// Every page is scanned with axe.
/// </summary>
[Collection(BrowserSuite.Name)]
public sealed class LifecycleAndNotificationsTests(BrowserGateway gateway)
{
    [Fact]
    public async Task Given_ARegisteredDataset_When_ItsStewardChangesThePolicyAndRetiresItWithAReason_Then_TheDatasetPageShowsItRetiredInItsHistory()
    {
        await using var steward = await gateway.SignInAsync("lena.lifecycle", Roles.DataSteward);
        var page = steward.Page;
        const string name = "lifecycle-demo";
        var id = await Pages.RegisterDatasetAsync(steward, name);

        await steward.OpenAsync($"/ui/datasets/{id}/lifecycle");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Versions, policy and retirement of {name}", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("dl.facts")).ToContainTextAsync("open for requests");
        await steward.AssertAccessibleAsync();

        // Another policy for new requests, with its reason; the history records the change.
        var policy = page.GetByRole(AriaRole.Form, new() { Name = "Change the policy" });
        await policy.GetByLabel("Policy").SelectOptionAsync(BrowserGateway.SharedDataset);
        await policy.GetByLabel("Why").FillAsync("The cohort office asked for the stricter release terms.");
        await policy.GetByRole(AriaRole.Button, new() { Name = "Change the policy" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"The dataset is under policy {BrowserGateway.SharedDataset} for new requests.");
        await Expect(History(page)).ToContainTextAsync($"policy 'default' → '{BrowserGateway.SharedDataset}' for new requests: The cohort office asked");

        // Retiring without a reason is refused beside the form; the dataset stays open.
        var retire = page.GetByRole(AriaRole.Form, new() { Name = "Retire the dataset" });
        await retire.GetByRole(AriaRole.Button, new() { Name = $"Retire {name}" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Say why the dataset is retired (it is recorded).");
        await Expect(page.Locator("dl.facts")).ToContainTextAsync("open for requests");
        await Expect(History(page)).Not.ToContainTextAsync("retired");
        await Screenshots.TakeAsync(page, "steward-lifecycle-refused");
        await steward.AssertAccessibleAsync();

        await page.GetByRole(AriaRole.Form, new() { Name = "Retire the dataset" }).GetByLabel("Why").FillAsync("The trial's consent ends this year");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Retire {name}" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The dataset is retired.");
        // Retired, the forms are gone: nothing more to change.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Retire the dataset" })).ToHaveCountAsync(0);
        await Expect(page.Locator("dl.facts")).ToContainTextAsync("retired");
        await Screenshots.TakeAsync(page, "steward-lifecycle");
        await steward.AssertAccessibleAsync();

        await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).GetByRole(AriaRole.Link, new() { Name = name }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = name, Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Retired" })).ToContainTextAsync("The trial's consent ends this year. It takes no new requests");
        await Expect(History(page).GetByRole(AriaRole.Row).Filter(new() { HasText = "retired: The trial's consent ends this year" })).ToHaveCountAsync(1);
        await Screenshots.TakeAsync(page, "steward-dataset-retired");
        await steward.AssertAccessibleAsync();
        Assert.True(steward.ConsoleErrors.Count == 0, string.Join("\n", steward.ConsoleErrors));
    }

    [Fact]
    public async Task Given_APerson_When_TheyChooseWhichNotificationsReachThemByEmailAndADailyDigest_Then_TheChoiceIsKeptAfterAReload()
    {
        await using var researcher = await gateway.SignInAsync("nora.notified", Roles.Researcher);
        var page = researcher.Page;
        await researcher.NavigateAsync("Notifications");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Notifications", Level = 1 })).ToBeVisibleAsync();
        // By default: e-mail, one per notification, every kind.
        await Expect(page.GetByLabel("Send me e-mail")).ToBeCheckedAsync();
        await Expect(page.GetByLabel("one e-mail per notification")).ToBeCheckedAsync();
        await Expect(page.GetByLabel("a request awaits screening")).ToBeCheckedAsync();
        await researcher.AssertAccessibleAsync();

        await page.GetByLabel("one digest a day").CheckAsync();
        await page.GetByLabel("a request awaits screening").UncheckAsync();
        await page.GetByLabel("a release was blocked by its gates").UncheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Your preferences were saved.");
        await researcher.AssertAccessibleAsync();

        await page.ReloadAsync();
        await Expect(page.GetByLabel("Send me e-mail")).ToBeCheckedAsync();
        await Expect(page.GetByLabel("one digest a day")).ToBeCheckedAsync();
        await Expect(page.GetByLabel("one e-mail per notification")).Not.ToBeCheckedAsync();
        await Expect(page.GetByLabel("a request awaits screening")).Not.ToBeCheckedAsync();
        await Expect(page.GetByLabel("a release was blocked by its gates")).Not.ToBeCheckedAsync();
        await Expect(page.GetByLabel("my request was approved, rejected or sent back")).ToBeCheckedAsync();
        await Expect(page.GetByLabel("my release was published, revoked or expired")).ToBeCheckedAsync();
        await Screenshots.TakeAsync(page, "notification-preferences");
        await researcher.AssertAccessibleAsync();
        Assert.True(researcher.ConsoleErrors.Count == 0, string.Join("\n", researcher.ConsoleErrors));
    }

    /// <summary>The page's history table, under its "History" heading.</summary>
    private static ILocator History(IPage page) => page.Locator("h2#history + table");
}
