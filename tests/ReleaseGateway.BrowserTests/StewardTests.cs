using System.Text.RegularExpressions;
using Microsoft.Playwright;
using ReleaseGateway.BrowserTests.Infrastructure;
using ReleaseGateway.Identity.Authorization;
using static Microsoft.Playwright.Assertions;

namespace ReleaseGateway.BrowserTests;

/// <summary>
/// A data steward's day: the home page and inbox say what awaits screening, and a new dataset's schema is built column
/// by column — each column shows the fields of its type, a problem shows beside the field it is about, the JSON is there
/// for experts and comes back as the same columns, and the documentation the form cites opens on the gateway.
/// </summary>
[Collection(BrowserSuite.Name)]
public sealed class StewardTests(BrowserGateway gateway)
{
    private const string Title = "Rita's recurrence model";

    [Fact]
    public async Task Given_Steward_When_BuildingASchemaColumnByColumn_Then_EachColumnShowsItsFieldsProblemsShowBesideThemAndTheDatasetIsRegistered()
    {
        var shared = await gateway.SharedDatasetAsync();
        await using var researcher = await gateway.SignInAsync("rita.researcher", Roles.Researcher);
        await Pages.SubmitRequestAsync(researcher, shared, new RequestTerms(Title));
        await using var steward = await gateway.SignInAsync("bea.steward", Roles.DataSteward);
        var page = steward.Page;

        // The home page and the inbox say what awaits screening.
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Data steward" })).ToContainTextAsync(new Regex(@"\d+ requests? awaits? screening\."));
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Screen: " + Title, Exact = true })).ToBeVisibleAsync();
        await Screenshots.TakeAsync(page, "steward-home");
        await steward.AssertAccessibleAsync();
        await steward.NavigateAsync("Inbox");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = Title })).ToContainTextAsync("awaits screening");
        await Screenshots.TakeAsync(page, "steward-inbox");
        await steward.AssertAccessibleAsync();

        // The form starts with one column and shows the default policy's limits.
        await steward.NavigateAsync("Datasets");
        await page.GetByRole(AriaRole.Link, new() { Name = "Register a dataset" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "The policy a new dataset gets" })).ToContainTextAsync("Most ε per release");
        // The format's documentation opens on the gateway.
        await page.GetByRole(AriaRole.Link, new() { Name = "the schema format (docs/schema.md)" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex("^Dataset schema"), Level = 1 })).ToBeVisibleAsync();
        await steward.AssertAccessibleAsync();
        await page.GoBackAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Register a dataset", Level = 1 })).ToBeVisibleAsync();

        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("builder-demo");
        await page.GetByLabel("Description", new() { Exact = true }).FillAsync("Follow-up visits of a cohort, described column by column.");
        await page.GetByLabel("Owning organisation").FillAsync("Cohort office");

        var first = Column(page, 1);
        await first.GetByLabel("Column name").FillAsync("mrn");
        await first.GetByLabel("Type", new() { Exact = true }).SelectOptionAsync("identifier");
        await Expect(first.GetByLabel("Smallest value")).ToBeHiddenAsync();
        await Expect(first.GetByLabel("Categories, one per line")).ToBeHiddenAsync();
        await first.GetByLabel("Role", new() { Exact = true }).SelectOptionAsync("personKey");

        await page.GetByRole(AriaRole.Button, new() { Name = "Add a column" }).ClickAsync();
        var age = Column(page, 2);
        await age.GetByLabel("Column name").FillAsync("age");
        await Expect(age.GetByLabel("Categories, one per line")).ToBeHiddenAsync();
        await age.GetByLabel("Smallest value").FillAsync("0");
        await age.GetByLabel("Largest value").FillAsync("-5");
        await Expect(age.GetByLabel("Number of bins")).ToBeHiddenAsync();
        await age.GetByLabel("Binning").SelectOptionAsync("bins");
        await age.GetByLabel("Number of bins").FillAsync("12");

        await page.GetByRole(AriaRole.Button, new() { Name = "Add a column" }).ClickAsync();
        var sex = Column(page, 3);
        await sex.GetByLabel("Column name").FillAsync("sex");
        await sex.GetByLabel("Type", new() { Exact = true }).SelectOptionAsync("categorical");
        await Expect(sex.GetByLabel("Smallest value")).ToBeHiddenAsync();
        await sex.GetByLabel("Categories, one per line").FillAsync("F\nM");
        await sex.GetByLabel("Protected attribute", new() { Exact = false }).CheckAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Add a column" }).ClickAsync();
        var outcome = Column(page, 4);
        await outcome.GetByLabel("Column name").FillAsync("outcome");
        await outcome.GetByLabel("Type", new() { Exact = true }).SelectOptionAsync("categorical");
        await outcome.GetByLabel("Categories, one per line").FillAsync("no\nyes");
        await outcome.GetByLabel("Role", new() { Exact = true }).SelectOptionAsync("target");
        await Screenshots.TakeAsync(page, "steward-schema-builder", tour: "0-steward-schema-builder", tourFocus: page.GetByRole(AriaRole.Heading, new() { Name = "Schema", Exact = true }));
        await steward.AssertAccessibleAsync();

        // Enter in a field registers (the form's default button), and the schema's own check refuses age's bounds,
        // beside that column; nothing is registered and the columns stay as filled in.
        await page.GetByLabel("Owning organisation").PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Alert).First).ToContainTextAsync("'max' must be greater than 'min'");
        await Expect(Column(page, 2)).ToContainTextAsync("$.columns[1] ('age'): 'max' must be greater than 'min'");
        await Expect(page.GetByRole(AriaRole.Group, new() { NameRegex = new Regex("^Column \\d") })).ToHaveCountAsync(4);
        await Screenshots.TakeAsync(page, "steward-schema-builder-problem");
        await steward.AssertAccessibleAsync();
        await Column(page, 2).GetByLabel("Largest value").FillAsync("120");

        // The expert's JSON is the same schema, and comes back as the same columns.
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit the schema as JSON" }).ClickAsync();
        var json = page.GetByLabel("Schema (JSON)");
        await Expect(json).ToHaveValueAsync(new Regex("\"role\": \"personKey\""));
        await Expect(json).ToHaveValueAsync(new Regex("\"protectedAttributes\": \\[\\s*\"sex\"\\s*\\]"));
        await steward.AssertAccessibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Build the schema column by column" }).ClickAsync();
        await Expect(Column(page, 2).GetByLabel("Largest value")).ToHaveValueAsync("120");
        await Expect(Column(page, 3).GetByLabel("Protected attribute", new() { Exact = false })).ToBeCheckedAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Register dataset" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "builder-demo", Level = 1 })).ToBeVisibleAsync();
        var schema = page.Locator("table").First;
        foreach (var column in new[] { "mrn", "age", "sex", "outcome" }) await Expect(schema).ToContainTextAsync(column);
        await Expect(schema.GetByRole(AriaRole.Row).Filter(new() { HasText = "age" })).ToContainTextAsync("0 to 120, 12 bins");
        // The steward's next steps on the dataset.
        foreach (var action in new[] { "Upload the source table", "Requests to screen", "Register a dataset with this schema" })
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = action, Exact = true })).ToBeVisibleAsync();
        await Screenshots.TakeAsync(page, "steward-dataset-actions");
        await steward.AssertAccessibleAsync();
        Assert.True(steward.ConsoleErrors.Count == 0, string.Join("\n", steward.ConsoleErrors));
    }

    private static ILocator Column(IPage page, int number) =>
        page.GetByRole(AriaRole.Group, new() { NameRegex = new Regex($"^Column {number}(:|$)") });
}
