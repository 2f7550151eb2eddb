using System.Text.RegularExpressions;
using Microsoft.Playwright;
using ReleaseGateway.Testing;
using static Microsoft.Playwright.Assertions;

namespace ReleaseGateway.BrowserTests.Infrastructure;

/// <summary>The request every browser test asks for (terms as a researcher would type them).</summary>
public sealed record RequestTerms(string Title, double Epsilon = 1.0, int Rows = 500, int AccessDays = 30)
{
    public string Purpose { get; init; } = "Model recurrence-free survival after hormone therapy in node-positive breast cancer.";
    public string Justification { get; init; } = "Tumour size, grade, nodes and receptor status are the covariates of the survival model; 500 rows suffice to fit it.";
    public string IntendedUse { get; init; } = "Two analysts at the university's epidemiology unit; only model coefficients will be published.";
    public IReadOnlyList<string> Columns { get; init; } = Gbsg.Columns;
}

/// <summary>The real clinical table of these tests: gbsg (German Breast Cancer Study Group), integer-coded, from ../shared/data.</summary>
public static class Gbsg
{
    public static readonly string[] Columns = ["age", "meno", "size", "grade", "nodes", "pgr", "er", "hormon", "rfstime", "status"];

    public static string Table => Path.Combine(RepositoryPaths.SharedData, "gbsg-disc.csv");

    public static string Schema => Path.Combine(RepositoryPaths.SharedData, "gbsg-domain.json");

    public static int Rows => File.ReadLines(Table).Count() - 1;
}

/// <summary>
/// What each role does on the pages, step by step, finding fields by their labels and controls by their roles (so a
/// missing label or role fails the test). Shared by the tests that need a dataset or a request to work on.
/// </summary>
public static partial class Pages
{
    /// <summary>A steward registers a dataset (schema file uploaded in the form) and uploads its source table; returns its id.</summary>
    public static async Task<Guid> RegisterDatasetAsync(Person steward, string name, Func<string, Task>? screenshot = null)
    {
        var page = steward.Page;
        await steward.NavigateAsync("Datasets");
        await page.GetByRole(AriaRole.Link, new() { Name = "Register a dataset" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Register a dataset", Level = 1 })).ToBeVisibleAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel("Description", new() { Exact = true }).FillAsync(
            "German Breast Cancer Study Group trial (686 women with node-positive breast cancer), integer-coded.");
        await page.GetByLabel("Owning organisation").FillAsync("GBSG");
        await page.GetByLabel("Schema file (JSON)").SetInputFilesAsync(Gbsg.Schema);
        if (screenshot is not null) await screenshot("register");
        await page.GetByRole(AriaRole.Button, new() { Name = "Register dataset" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = name, Level = 1 })).ToBeVisibleAsync();
        var id = Guid.Parse(DatasetPath().Match(page.Url).Groups[1].Value);
        await page.GetByRole(AriaRole.Link, new() { Name = "Upload the source table" }).ClickAsync();
        await page.GetByLabel("Source table (CSV)").SetInputFilesAsync(Gbsg.Table);
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"The source table was stored: {Gbsg.Rows} rows");
        return id;
    }

    /// <summary>A researcher picks the dataset and fills the request form field by field; returns the new request's id.</summary>
    public static async Task<Guid> SubmitRequestAsync(Person researcher, string dataset, RequestTerms terms, Func<string, Task>? screenshot = null)
    {
        var page = researcher.Page;
        await OpenRequestFormAsync(researcher, dataset);
        await page.GetByLabel("Title", new() { Exact = true }).FillAsync(terms.Title);
        await page.GetByLabel("Purpose", new() { Exact = true }).FillAsync(terms.Purpose);
        await page.GetByLabel("Justification", new() { Exact = true }).FillAsync(terms.Justification);
        await page.GetByLabel("Intended use", new() { Exact = true }).FillAsync(terms.IntendedUse);
        var columns = page.GetByRole(AriaRole.Group, new() { Name = "Columns" });
        foreach (var column in terms.Columns) await columns.GetByLabel(column, new() { Exact = true }).CheckAsync();
        await page.GetByLabel("Privacy budget ε for this release").FillAsync(terms.Epsilon.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByLabel("Rows in the synthetic table").FillAsync(terms.Rows.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByLabel("Generator", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Gateway default" });
        await page.GetByLabel("Access for how many days").FillAsync(terms.AccessDays.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (screenshot is not null) await screenshot("request-form");
        await page.GetByRole(AriaRole.Button, new() { Name = "Submit request" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = terms.Title, Level = 1 })).ToBeVisibleAsync();
        return Guid.Parse(RequestPath().Match(page.Url).Groups[1].Value);
    }

    /// <summary>The researcher's way to the form: New request, then the dataset's own "Request …" link.</summary>
    public static async Task OpenRequestFormAsync(Person researcher, string dataset)
    {
        await researcher.NavigateAsync("New request");
        await researcher.Page.GetByRole(AriaRole.Link, new() { Name = "Request " + dataset, Exact = true }).ClickAsync();
        await Expect(researcher.Page.GetByRole(AriaRole.Heading, new() { Name = "New request for " + dataset, Level = 1 })).ToBeVisibleAsync();
    }

    /// <summary>A steward finds the request in the screening queue and accepts it for committee review.</summary>
    public static async Task AcceptForReviewAsync(Person steward, string title)
    {
        await steward.NavigateAsync("Screening");
        await steward.Page.GetByRole(AriaRole.Link, new() { Name = title, Exact = true }).ClickAsync();
        await steward.Page.GetByRole(AriaRole.Button, new() { Name = "Accept for committee review" }).ClickAsync();
        await Expect(State(steward.Page)).ToHaveTextAsync("Committee review");
    }

    /// <summary>A committee member finds the request in their queue, opens it and approves it with a reason.</summary>
    public static async Task ApproveAsync(Person member, string title, string reason, Func<string, Task>? screenshot = null)
    {
        var page = member.Page;
        await member.NavigateAsync("Awaiting my decision");
        await page.GetByRole(AriaRole.Link, new() { Name = title, Exact = true }).ClickAsync();
        var vote = page.GetByRole(AriaRole.Region, new() { Name = "Vote" });
        await vote.GetByLabel("Approve").CheckAsync();
        await vote.GetByLabel("Reason").FillAsync(reason);
        if (screenshot is not null) await screenshot("vote");
        await vote.GetByRole(AriaRole.Button, new() { Name = "Cast vote" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Your vote is recorded.");
    }

    /// <summary>The state badge under a request's title.</summary>
    public static ILocator State(IPage page) => page.Locator("p.lead .state");

    [GeneratedRegex("/ui/datasets/([0-9a-f-]{36})")]
    private static partial Regex DatasetPath();

    [GeneratedRegex("/ui/requests/([0-9a-f-]{36})")]
    public static partial Regex RequestPath();
}
