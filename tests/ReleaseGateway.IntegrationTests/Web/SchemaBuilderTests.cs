using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Web.Pages.Datasets;

namespace ReleaseGateway.IntegrationTests.Web;

/// <summary>The column-by-column form and the JSON document describe the same schema, and refusals find their field.</summary>
public sealed class SchemaBuilderTests
{
    // docs/schema.md's full example, plus a protected attribute, clipping and DP-quantile bins.
    private const string Example = """
        { "columns": [
           {"name": "age", "type": "integer", "min": 18, "max": 90, "bins": 16, "missing": false, "role": "quasi-identifier"},
           {"name": "bmi", "type": "continuous", "min": 10, "max": 60, "binEdges": [10, 18.5, 25, 30, 40, 60], "missing": true, "role": "sensitive"},
           {"name": "sex", "type": "categorical", "categories": ["F", "M"], "role": "quasi-identifier"},
           {"name": "diagnosed", "type": "date", "min": "2000-01-01", "max": "2020-12-31", "granularity": "month"},
           {"name": "visits", "type": "integer", "min": 0, "max": 400, "dpBins": 8},
           {"name": "status", "type": "categorical", "categories": ["0","1"], "role": "target"},
           {"name": "id", "type": "identifier", "role": "personKey"} ],
          "outOfDomain": "clip", "protectedAttributes": ["sex"] }
        """;

    [Fact]
    public void Given_TheDocumentedSchema_When_ReadIntoColumnsAndWrittenBack_Then_ItIsTheSameSchema()
    {
        var (columns, outOfDomain) = SchemaBuilder.FromJson(Example);

        var written = SchemaBuilder.ToJson(columns, outOfDomain);

        Assert.Equal(Describe(DatasetSchema.Parse(Example)), Describe(DatasetSchema.Parse(written)));
        Assert.Equal(written, SchemaBuilder.ToJson(SchemaBuilder.FromJson(written).Columns, outOfDomain));
    }

    [Fact]
    public void Given_ColumnsFilledInTheForm_When_Written_Then_EachTypeKeepsOnlyItsOwnFields()
    {
        SchemaColumnForm[] columns =
        [
            new() { Name = " age ", Type = "integer", Min = "0", Max = "120", Binning = "bins", Bins = "12", Categories = "ignored", Granularity = "year" },
            new() { Name = "sex", Type = "categorical", Categories = "F\r\n\r\nM\n", Min = "3", Protected = true, Role = "quasi-identifier" },
            new() { Name = "mrn", Type = "identifier", Role = "personKey", Min = "1", Binning = "edges", BinEdges = "1, 2" },
        ];

        var schema = DatasetSchema.Parse(SchemaBuilder.ToJson(columns, "error"));

        Assert.Equal(Describe(DatasetSchema.Parse("""
            {"columns": [{"name": "age", "type": "integer", "min": 0, "max": 120, "bins": 12},
                         {"name": "sex", "type": "categorical", "categories": ["F", "M"], "role": "quasi-identifier"},
                         {"name": "mrn", "type": "identifier", "role": "personKey"}],
             "protectedAttributes": ["sex"]}
            """)), Describe(schema));
    }

    [Fact]
    public void Given_TextWhereTheSchemaWantsANumber_When_Written_Then_TheSchemasOwnParserRefusesItWithThatFieldsPath()
    {
        SchemaColumnForm[] columns = [new() { Name = "age", Type = "integer", Min = "eighteen", Max = "90" }];

        var refusal = Assert.Throws<SchemaException>(() => DatasetSchema.Parse(SchemaBuilder.ToJson(columns, "error")));

        Assert.Equal("$.columns[0].min", refusal.Location);
        Assert.Equal("Form.Columns[0].Min", SchemaBuilder.FieldOf(refusal.Message, columns, "Form.Columns"));
    }

    [Theory]
    [InlineData("$.columns[1] ('bmi'): 'max' must be greater than 'min'", "Form.Columns[1]")]
    [InlineData("$.columns[0].binEdges[2]: must be a finite number", "Form.Columns[0].BinEdges")]
    [InlineData("$.columns[2].dpBins: must be a whole number", "Form.Columns[2].Bins")]
    [InlineData("$.protectedAttributes[0]: 'age' has type integer", "Form.Columns[2].Protected")]
    [InlineData("$.columns: at most one column may have role 'target'", null)]
    [InlineData("$.columns[7]: no such column in the form", null)]
    public void Given_ASchemaRefusal_When_PlacedOnTheForm_Then_ItLandsBesideTheFieldItsPathNames(string message, string? field)
    {
        SchemaColumnForm[] columns = [new() { Name = "a" }, new() { Name = "bmi" }, new() { Name = "age", Protected = true }];

        Assert.Equal(field, SchemaBuilder.FieldOf(message, columns, "Form.Columns"));
    }

    private static string Describe(DatasetSchema schema) =>
        System.Text.Json.JsonSerializer.Serialize(new
        {
            // The declared properties only: the derived ones (codes) are not defined before DP bins are placed.
            Columns = schema.Columns.Select(c => new { c.Name, c.Type, c.Role, c.AllowsMissing, c.Categories, c.Min, c.Max, c.MinDate, c.MaxDate,
                c.Bins, c.BinEdges, c.DpBins, c.Granularity }),
            schema.OutOfDomain,
            schema.ProtectedAttributes,
        });
}
