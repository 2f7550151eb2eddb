using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OtpNet;
using ReleaseGateway.BrowserTests.Infrastructure;
using ReleaseGateway.Identity.Authorization;
using static Microsoft.Playwright.Assertions;

namespace ReleaseGateway.BrowserTests;

/// <summary>
/// Issue 21's administrator and self-service pages in a real browser: an administrator adds a user, changes a role within
/// the separation-of-duties rules, registers a service client, checks key rotation and issues a reset link that the
/// person opens in a window of their own; a person enrols an authenticator app and signs in with a recovery code. Every
/// page is scanned with axe.
/// </summary>
[Collection(BrowserSuite.Name)]
public sealed class AdministrationTests(BrowserGateway gateway)
{
    [Fact]
    public async Task Given_AnAdministrator_When_TheyAddAUserChangeARoleAndIssueAResetLink_Then_ThePersonChoosesTheirPasswordThroughIt()
    {
        await using var admin = await gateway.SignInAsync("ada.admin", Roles.Administrator);
        var page = admin.Page;
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Administrator" })).ToContainTextAsync("administration pages");
        // The identity documentation the panel cites opens on the gateway.
        await page.GetByRole(AriaRole.Region, new() { Name = "Administrator" }).GetByRole(AriaRole.Link, new() { Name = "Identity and sign-in (docs/identity.md)" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Identity and access", Level = 1 })).ToBeVisibleAsync();
        await page.GoBackAsync();

        await admin.NavigateAsync("Administration");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Users and roles", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Table)).ToContainTextAsync(admin.Email);
        await admin.AssertAccessibleAsync();

        // A form with a problem says so beside the field, and nothing is created.
        await page.GetByRole(AriaRole.Button, new() { Name = "Add user" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Choose at least one role.");
        await admin.AssertAccessibleAsync();

        var email = $"nina.new.{Guid.NewGuid().ToString("N")[..4]}@hospital.example";
        await page.GetByLabel("E-mail address").FillAsync(email);
        await page.GetByLabel("Researcher").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add user" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Account created for {email}" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Table)).ToContainTextAsync(email);
        await Screenshots.TakeAsync(page, "admin-users");

        await page.GetByRole(AriaRole.Link, new() { Name = "open the account" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = email, Level = 1 })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Grant Committee member" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Granted Committee member.");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Revoke Committee member" })).ToBeVisibleAsync();
        await admin.AssertAccessibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Issue a password-reset link" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Reset link for {email}" })).ToBeVisibleAsync();
        var link = (await page.Locator("#reset-link").TextContentAsync())!.Trim();
        await Screenshots.TakeAsync(page, "admin-user-reset-link");
        await admin.AssertAccessibleAsync();

        // Their own account: no buttons, a sentence saying who changes it.
        await page.GotoAsync("/ui/admin/users");
        await page.GetByRole(AriaRole.Link, new() { Name = admin.Email }).ClickAsync();
        await Expect(page.GetByText("This is your own account.")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Grant Researcher" })).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Administration" }).GetByRole(AriaRole.Link, new() { Name = "Service clients" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Table)).ToContainTextAsync("rgw command line");
        await page.GetByLabel("Name").FillAsync("Ward 7 export pipeline");
        await page.GetByLabel("Data steward").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Register client" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Client registered" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Table)).ToContainTextAsync("Ward 7 export pipeline");
        await admin.AssertAccessibleAsync();

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Administration" }).GetByRole(AriaRole.Link, new() { Name = "Key rotation" }).ClickAsync();
        await Expect(page.GetByText("signs new tokens now")).ToBeVisibleAsync();
        await Expect(page.GetByText("protects new cookies now")).ToBeVisibleAsync();
        await Screenshots.TakeAsync(page, "admin-keys");
        await admin.AssertAccessibleAsync();

        // The person opens the link in a window of their own, chooses a password, and signs in with it.
        await using var window = await gateway.OpenWindowAsync();
        var newPassword = "chosen through my link " + Guid.NewGuid().ToString("N")[..6];
        var person = new Person(new TestUser(Guid.Empty, email, newPassword, Roles.Researcher, MustChangePassword: false), window, await window.NewPageAsync());
        await person.Page.GotoAsync(new Uri(link).PathAndQuery);
        await Expect(person.Page.GetByRole(AriaRole.Heading, new() { Name = "Choose a new password" })).ToBeVisibleAsync();
        await person.AssertAccessibleAsync();
        await person.Page.GetByLabel("New password").FillAsync(newPassword);
        await person.Page.GetByRole(AriaRole.Button, new() { Name = "Set new password" }).ClickAsync();
        await Expect(person.Page.GetByRole(AriaRole.Heading, new() { Name = "Password changed" })).ToBeVisibleAsync();
        await person.SignInAsync();

        // The link works once.
        await person.Page.GotoAsync(new Uri(link).PathAndQuery);
        await Expect(person.Page.GetByRole(AriaRole.Heading, new() { Name = "Reset link not valid" })).ToBeVisibleAsync();
        await person.AssertAccessibleAsync();
        Assert.Empty(admin.ConsoleErrors);
        Assert.Empty(person.ConsoleErrors);
    }

    [Fact]
    public async Task Given_ASignedInPerson_When_TheyEnrolAnAuthenticatorApp_Then_RecoveryCodesShowOnce_AndOneSignsThemIn()
    {
        await using var person = await gateway.SignInAsync("tom.totp", Roles.Researcher);
        var page = person.Page;

        await person.NavigateAsync("My account");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "My account", Level = 1 })).ToBeVisibleAsync();
        await person.AssertAccessibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Set up an authenticator app" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Set up an authenticator app", Level = 1 })).ToBeVisibleAsync();
        await Screenshots.TakeAsync(page, "account-totp");
        await person.AssertAccessibleAsync();
        var secret = (await page.Locator("#totp-secret").TextContentAsync())!.Replace(" ", "", StringComparison.Ordinal).Trim();
        var totp = new Totp(Base32Encoding.ToBytes(secret));

        var wrong = Enumerable.Range(0, 1000).Select(i => i.ToString("000000"))
            .First(c => !new[] { -1, 0, 1 }.Select(step => totp.ComputeTotp(DateTime.UtcNow.AddSeconds(30 * step))).Contains(c));
        await page.GetByLabel("Six-digit code the app shows now").FillAsync(wrong);
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on the second factor" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("does not match");
        await person.AssertAccessibleAsync();

        await page.GetByLabel("Six-digit code the app shows now").FillAsync(totp.ComputeTotp());
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on the second factor" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Authenticator app enrolled" })).ToBeVisibleAsync();
        var codes = await page.Locator("ul.codes code").AllTextContentsAsync();
        Assert.Equal(10, codes.Count);
        await Screenshots.TakeAsync(page, "account-recovery-codes");
        await person.AssertAccessibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "I have saved them" }).ClickAsync();
        await Expect(page.GetByText("10 recovery codes left")).ToBeVisibleAsync();

        // Next sign-in: password, then the second factor; a recovery code stands in for the app once.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.GotoAsync("/ui");
        await page.GetByLabel("E-mail address").FillAsync(person.Email);
        await page.GetByLabel("Password").FillAsync(person.User.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Authenticator code" })).ToBeVisibleAsync();
        await page.GetByLabel("Six-digit code from your authenticator app").FillAsync(codes[0]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/ui/?$"));
        await Expect(page.Locator("header.site")).ToContainTextAsync(person.Email);
        Assert.Empty(person.ConsoleErrors);
    }
}
