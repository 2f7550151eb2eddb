using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.IntegrationTests.Requests;

namespace ReleaseGateway.IntegrationTests.Web;

public sealed class SchemaBuilderPagesTestsOnSqlite(SqliteGatewayHost host) : SchemaBuilderPagesTests<SqliteGatewayHost>(host);

public sealed class SchemaBuilderPagesTestsOnPostgres(PostgresGatewayHost host) : SchemaBuilderPagesTests<PostgresGatewayHost>(host);

/// <summary>
/// A steward builds a schema column by column on the register page over real HTTP: columns added, a refusal beside the
/// column it is about with nothing registered, the expert's JSON and the columns turned into each other, and the dataset
/// registered with the same schema the API would have stored. The documentation the page cites is served.
/// </summary>
public abstract class SchemaBuilderPagesTests<THost>(THost host) : IClassFixture<THost> where THost : GatewayHost
{
    private const string Page = "/ui/datasets/register";

    // RequestsApi.Schema, as a steward fills it in.
    private static readonly Dictionary<string, string>[] Columns =
    [
        new() { ["Name"] = "mrn", ["Type"] = "identifier", ["Role"] = "identifier" },
        new() { ["Name"] = "age", ["Type"] = "integer", ["Min"] = "0", ["Max"] = "120", ["Binning"] = "bins", ["Bins"] = "12", ["Role"] = "quasi-identifier" },
        new() { ["Name"] = "sex", ["Type"] = "categorical", ["Categories"] = "F\nM", ["Role"] = "quasi-identifier" },
        new() { ["Name"] = "outcome", ["Type"] = "categorical", ["Categories"] = "no\nyes", ["Role"] = "target" },
    ];

    [Fact]
    public async Task Given_Steward_When_BuildingTheSchemaColumnByColumn_Then_ProblemsShowBesideTheirColumnAndTheDatasetHasTheSameSchemaAsTheJson()
    {
        using var steward = await WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.DataSteward));
        var name = "built-" + Guid.NewGuid().ToString("N")[..8];
        var form = await steward.GetAsync(Page);
        Assert.Contains("Column 1", form.Html);
        Assert.Contains("href=\"/docs/schema.md\"", form.Html);

        var added = await steward.PostAsync(form, Page + "?handler=AddColumn", [.. Fields(name, Columns[..1])]);
        Assert.Equal(HttpStatusCode.OK, added.Status);
        Assert.Contains("Column 2", added.Html);

        var wrongAge = Columns.Select(c => c["Name"] == "age" ? new Dictionary<string, string>(c) { ["Max"] = "-5" } : c).ToArray();
        var refused = await steward.PostAsync(form, Page, [.. Fields(name, wrongAge)]);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.StartsWith("$.columns[1] ('age'): 'max' must be greater than 'min'", refused.TextOf("Form_Columns_1_-error"));
        Assert.DoesNotContain(name, (await steward.GetAsync("/ui/datasets")).Html);

        var wordForNumber = Columns.Select(c => c["Name"] == "age" ? new Dictionary<string, string>(c) { ["Bins"] = "twelve" } : c).ToArray();
        var notANumber = await steward.PostAsync(form, Page, [.. Fields(name, wordForNumber)]);
        Assert.Equal(HttpStatusCode.BadRequest, notANumber.Status);
        Assert.StartsWith("$.columns[1].bins: must be a whole number", notANumber.TextOf("Form_Columns_1__Bins-error"));
        Assert.Contains("aria-invalid=\"true\"", notANumber.TagOf("Form_Columns_1__Bins"));

        var asJson = await steward.PostAsync(form, Page + "?handler=EditJson", [.. Fields(name, Columns)]);
        Assert.Contains("Schema (JSON)", asJson.Html);
        var backToColumns = await steward.PostAsync(form, Page + "?handler=EditColumns",
            ("Form.Name", name), ("Form.Schema", RequestsApi.Schema));
        Assert.Contains("value=\"outcome\"", backToColumns.Html);
        Assert.Contains("Column 4", backToColumns.Html);
        var badJson = await steward.PostAsync(form, Page + "?handler=EditColumns", ("Form.Schema", """{"columns": [{"name": "x"}]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, badJson.Status);
        Assert.StartsWith("$.columns[0]", badJson.TextOf("Form_Schema-error"));

        var registered = await steward.PostAsync(form, Page, [.. Fields(name, Columns)]);
        Assert.Equal(HttpStatusCode.Redirect, registered.Status);
        var datasetPath = registered.Response.Headers.Location!.OriginalString;
        var dataset = await steward.FollowAsync(registered);
        Assert.Contains("Register a dataset with this schema", dataset.Html);
        using var api = host.CreateClient(await host.AccessTokenForRoleAsync(Roles.DataSteward));
        var stored = await api.GetFromJsonAsync<JsonObject>(datasetPath.Replace("/ui", "", StringComparison.Ordinal));
        Assert.Equal(Describe(DatasetSchema.Parse(RequestsApi.Schema)), Describe(DatasetSchema.Parse(stored!["dataset"]!["schemaJson"]!.GetValue<string>())));

        var likeIt = await steward.GetAsync($"{Page}?from={datasetPath.Split('/')[3]}");
        Assert.Contains("value=\"outcome\"", likeIt.Html);
    }

    [Fact]
    public async Task Given_TheDocumentation_When_Requested_Then_ItsPagesAreServedAndNoOtherFileIs()
    {
        using var browser = host.CreateBrowser();

        var schema = await browser.GetAsync("/docs/schema.md");
        var adr = await browser.GetAsync("/docs/adr/0003-budget-ledger-composes-in-renyi-dp.md");
        var index = await (await browser.GetAsync("/docs")).Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, schema.StatusCode);
        var html = await schema.Content.ReadAsStringAsync();
        Assert.Contains(">Dataset schema (<code>ReleaseGateway.Datasets.Schema</code>)</h1>", html);
        Assert.Contains("<table>", html);
        Assert.Equal(HttpStatusCode.OK, adr.StatusCode);
        Assert.Contains("href=\"/docs/schema.md\"", index);
        foreach (var path in new[] { "/docs/../README.md", "/docs/%2e%2e/README.md", "/docs/appsettings.json", "/docs/none.md" })
            Assert.False((await browser.GetAsync(path)).IsSuccessStatusCode, path);
    }

    private static IEnumerable<(string, string)> Fields(string name, IReadOnlyList<Dictionary<string, string>> columns)
    {
        yield return ("Form.Name", name);
        yield return ("Form.Description", "A table described column by column");
        yield return ("Form.Owner", "Test hospital");
        yield return ("Form.Mode", "columns");
        yield return ("Form.OutOfDomain", "error");
        for (var i = 0; i < columns.Count; i++)
            foreach (var (key, value) in columns[i])
                yield return ($"Form.Columns[{i}].{key}", value);
    }

    private static string Describe(DatasetSchema schema) => System.Text.Json.JsonSerializer.Serialize(
        schema.Columns.Select(c => new { c.Name, c.Type, c.Role, c.AllowsMissing, c.Categories, c.Min, c.Max, c.Bins, c.BinEdges }));
}
