using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using ReleaseGateway.BrowserTests.Infrastructure;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Identity.Users;
using static Microsoft.Playwright.Assertions;

namespace ReleaseGateway.BrowserTests;

/// <summary>
/// A person changes their own password from the home page, forgets it, and gets back in with the one-time password an
/// administrator issues (as <c>rgw users reset-password</c> does), which ends their session and must be changed at once;
/// the styled sign-in pages are scanned with axe.
/// </summary>
[Collection(BrowserSuite.Name)]
public sealed class PasswordTests(BrowserGateway gateway)
{
    [Fact]
    public async Task Given_ASignedInPerson_When_TheyChangeTheirPassword_AndLaterItIsReset_Then_TheOneTimePasswordMustBeChangedAtSignIn()
    {
        await using var person = await gateway.SignInAsync("paula.researcher", Roles.Researcher);
        var page = person.Page;

        // Self-service: from the home page, on the gateway's own (styled) page.
        await page.GetByRole(AriaRole.Link, new() { Name = "Change my password" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Choose a new password" })).ToBeVisibleAsync();
        await Expect(page.Locator("header.site")).ToContainTextAsync("ReleaseGateway");
        await Screenshots.TakeAsync(page, "researcher-change-password");
        await person.AssertAccessibleAsync();
        await page.GetByLabel("Current password").FillAsync(person.User.Password);
        await page.GetByLabel("New password").FillAsync("my own passphrase " + Guid.NewGuid().ToString("N")[..6]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/ui/?$"));
        await Expect(page.Locator("header.site")).ToContainTextAsync(person.Email);

        // Forgotten: an administrator issues a one-time password; the person signs in with it and must choose a new one.
        string oneTime;
        await using (var scope = gateway.Services.CreateAsyncScope())
            oneTime = await scope.ServiceProvider.GetRequiredService<UserAdministration>().ResetPasswordAsync(person.Email, EventMetadata.System("test-admin"));
        // The reset ended the person's web session: their next page is the sign-in flow, which asks for a new password
        // before anything else; only the one-time password opens it.
        await page.GotoAsync("/ui");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Choose a new password" })).ToBeVisibleAsync();
        await page.GetByLabel("Current (one-time) password").FillAsync(oneTime);
        await page.GetByLabel("New password").FillAsync("after the reset " + Guid.NewGuid().ToString("N")[..6]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/ui/?$"));
        await Expect(page.Locator("header.site")).ToContainTextAsync(person.Email);

        // Signed out, the styled sign-in page says where help is.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Signed out", Level = 1 })).ToBeVisibleAsync();
        await page.GotoAsync("/ui");
        await Expect(page).ToHaveTitleAsync("Sign in · ReleaseGateway");
        await Expect(page.GetByRole(AriaRole.Contentinfo)).ToContainTextAsync("one-time password");
        await Screenshots.TakeAsync(page, "sign-in");
        await person.AssertAccessibleAsync();
    }
}
