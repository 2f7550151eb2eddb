using Microsoft.Playwright;
using ReleaseGateway.BrowserTests.Infrastructure;
using ReleaseGateway.Identity.Authorization;
using static Microsoft.Playwright.Assertions;

namespace ReleaseGateway.BrowserTests;

/// <summary>
/// What the pages refuse a researcher, shown as a person sees it, and the request form used from the keyboard alone.
/// </summary>
[Collection(BrowserSuite.Name)]
public sealed class AccessAndKeyboardTests(BrowserGateway gateway)
{
    [Fact]
    public async Task Given_Researcher_When_OpeningAnotherResearchersRequestOrTheCommitteesPages_Then_Refused()
    {
        var dataset = await gateway.SharedDatasetAsync();
        await using var owner = await gateway.SignInAsync("olga.researcher", Roles.Researcher);
        var requestId = await Pages.SubmitRequestAsync(owner, dataset, new RequestTerms("Olga's survival model"));
        await using var other = await gateway.SignInAsync("oscar.researcher", Roles.Researcher);
        var page = other.Page;

        // Another researcher's request does not exist for them: "not found", as in the API, and nothing of it shows.
        foreach (var path in new[] { $"/ui/requests/{requestId}", $"/ui/requests/{requestId}/resubmit" })
        {
            var response = await page.GotoAsync(path);
            Assert.Equal(404, response!.Status);
            await Expect(page).ToHaveTitleAsync("Not found · ReleaseGateway");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found", Level = 1 })).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Main)).Not.ToContainTextAsync("Olga's survival model");
        }
        await other.NavigateAsync("My requests");
        await Expect(page.GetByRole(AriaRole.Main)).Not.ToContainTextAsync("Olga's survival model");

        // The committee's pages are not theirs: not in the navigation, and "not allowed" when typed in.
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Awaiting my decision" })).ToHaveCountAsync(0);
        foreach (var path in new[] { "/ui/committee", "/ui/screening", "/ui/audit" })
        {
            var response = await page.GotoAsync(path);
            Assert.Equal(403, response!.Status);
            await Expect(page).ToHaveTitleAsync("Not allowed · ReleaseGateway");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not allowed", Level = 1 })).ToBeVisibleAsync();
        }
        await Screenshots.TakeAsync(page, "researcher-denied-committee-page");
        await other.AssertAccessibleAsync();

        // A committee member does see the same request: the refusal above was about who asked, not about the request.
        await using var steward = await gateway.SignInAsync("sam.steward", Roles.DataSteward);
        await Pages.AcceptForReviewAsync(steward, "Olga's survival model");
        await using var member = await gateway.SignInAsync("mia.member", Roles.CommitteeMember);
        await member.OpenAsync($"/ui/requests/{requestId}");
        await Expect(member.Page.GetByRole(AriaRole.Heading, new() { Name = "Olga's survival model", Level = 1 })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Given_RequestForm_When_FilledFromTheKeyboard_Then_EveryFieldIsLabelledTabReachesEachInOrderAndItSubmits()
    {
        var dataset = await gateway.SharedDatasetAsync();
        await using var researcher = await gateway.SignInAsync("kim.researcher", Roles.Researcher);
        var page = researcher.Page;
        await Pages.OpenRequestFormAsync(researcher, dataset);
        await researcher.AssertAccessibleAsync();

        // Each field is found by its label (GetByLabel fails on an unlabelled one) and the form's order is:
        var fields = new List<ILocator>
        {
            page.GetByLabel("Title", new() { Exact = true }),
            page.GetByLabel("Purpose", new() { Exact = true }),
            page.GetByLabel("Justification", new() { Exact = true }),
            page.GetByLabel("Intended use", new() { Exact = true }),
        };
        var columns = page.GetByRole(AriaRole.Group, new() { Name = "Columns" });
        fields.AddRange(Gbsg.Columns.Select(c => columns.GetByRole(AriaRole.Checkbox, new() { Name = c, Exact = true })));
        fields.Add(page.GetByLabel("Privacy budget ε for this release"));
        fields.Add(page.GetByLabel("Rows in the synthetic table"));
        fields.Add(page.GetByLabel("Generator", new() { Exact = true }));
        fields.Add(page.GetByLabel("Access for how many days"));
        fields.Add(page.GetByRole(AriaRole.Button, new() { Name = "Submit request" }));
        foreach (var field in fields) await Expect(field).ToHaveCountAsync(1);

        // From the top of the page: the skip link first, then through the header to the form, one field per Tab.
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Skip to main content" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.PressAsync("Tab");
        await Expect(fields[0]).ToBeFocusedAsync();
        for (var i = 1; i < fields.Count; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            await Expect(fields[i]).ToBeFocusedAsync();
        }

        // Filled from the keyboard alone: Shift+Tab back to the top of the form, type, Space ticks a box, Enter submits.
        for (var i = fields.Count - 1; i > 0; i--) await page.Keyboard.PressAsync("Shift+Tab");
        await Expect(fields[0]).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("Keyboard-only request");
        foreach (var text in new[] { "Survival model.", "Covariates of the model.", "Academic research." })
        {
            await page.Keyboard.PressAsync("Tab");
            await page.Keyboard.TypeAsync(text);
        }
        foreach (var _ in Gbsg.Columns)
        {
            await page.Keyboard.PressAsync("Tab");
            await page.Keyboard.PressAsync("Space");
        }
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("0.5");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("300");
        await page.Keyboard.PressAsync("Tab"); // generator: the default stays
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("30");
        await Screenshots.TakeAsync(page, "researcher-request-form-keyboard");
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Your request was submitted.");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Keyboard-only request", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync(string.Join(", ", Gbsg.Columns));
    }

    [Fact]
    public async Task Given_RequestFormWithInvalidFields_When_Submitted_Then_TheValidatorsMessagesShowBesideTheirFields()
    {
        var dataset = await gateway.SharedDatasetAsync();
        await using var researcher = await gateway.SignInAsync("val.researcher", Roles.Researcher);
        var page = researcher.Page;
        await Pages.OpenRequestFormAsync(researcher, dataset);

        await page.GetByLabel("Privacy budget ε for this release").FillAsync("50");
        await page.GetByRole(AriaRole.Button, new() { Name = "Submit request" }).ClickAsync();

        // The refusal keeps the form, marks the fields invalid, describes them by their messages and links a summary.
        var title = page.GetByLabel("Title", new() { Exact = true });
        await Expect(title).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(title).ToHaveAccessibleDescriptionAsync(new System.Text.RegularExpressions.Regex(@"\w"));
        var epsilon = page.GetByLabel("Privacy budget ε for this release");
        await Expect(epsilon).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(epsilon).ToHaveValueAsync("50");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("problems");
        await Screenshots.TakeAsync(page, "researcher-request-form-errors");
        await researcher.AssertAccessibleAsync();
    }
}
