using ReleaseGateway.Datasets.Schema;

namespace ReleaseGateway.Synthesis.Tests;

public class DatasetSchemaTests
{
    private const string Example = """
        { "columns": [
           {"name": "age", "type": "integer", "min": 18, "max": 90, "bins": 16, "missing": false, "role": "quasi-identifier"},
           {"name": "bmi", "type": "continuous", "min": 10, "max": 60, "binEdges": [10, 18.5, 25, 30, 40, 60], "missing": true, "role": "sensitive"},
           {"name": "sex", "type": "categorical", "categories": ["F", "M"], "role": "quasi-identifier"},
           {"name": "diagnosed", "type": "date", "min": "2000-01-01", "max": "2020-12-31", "granularity": "month"},
           {"name": "status", "type": "categorical", "categories": ["0","1"], "role": "target"},
           {"name": "id", "type": "identifier", "role": "identifier"} ],
          "outOfDomain": "error" }
        """;

    [Fact]
    public void Given_FullFormatSchema_When_Parsed_Then_DomainSizesIncludeTheMissingCode()
    {
        DatasetSchema schema = DatasetSchema.Parse(Example);
        Assert.Equal([16, 6, 2, 252, 2, 0], schema.Columns.Select(c => c.DomainSize));
        Assert.Equal(5, schema.Columns[1].MissingCode);
        Assert.Equal("status", schema.Target!.Name);
        Assert.Equal(["age", "sex"], schema.ColumnsWithRole(ColumnRole.QuasiIdentifier).Select(c => c.Name));
        Assert.Equal(5, schema.SynthesisColumns.Count);
        Assert.Equal(OutOfDomainPolicy.Error, schema.OutOfDomain);
    }

    [Fact]
    public void Given_DomainShorthand_When_Parsed_Then_IntegerCodesStartFromZero()
    {
        DatasetSchema schema = DatasetSchema.Parse("""{"age": 32, "sex": 2}""");
        Assert.Equal(["age", "sex"], schema.Columns.Select(c => c.Name));
        Assert.All(schema.Columns, c => Assert.Equal(ColumnType.Integer, c.Type));
        Assert.Equal([32, 2], schema.Columns.Select(c => c.DomainSize));
        Assert.Equal(0, schema.Columns[0].Min);
        Assert.Equal(31, schema.Columns[0].Max);
    }

    [Theory]
    [InlineData("""{"columns": [{"name": "x", "type": "continuous", "min": 0, "max": 1, "bins": 0}]}""", "$.columns[0] ('x')", "bins")]
    [InlineData("""{"columns": [{"name": "x", "type": "categorical"}]}""", "$.columns[0] ('x')", "categories")]
    [InlineData("""{"columns": [{"name": "x", "type": "integer", "min": 5, "max": 1}]}""", "$.columns[0] ('x')", "greater")]
    [InlineData("""{"columns": [{"name": "x", "type": "integer", "min": 0, "max": 9, "colour": "red"}]}""", "$.columns[0].colour", "unknown")]
    [InlineData("""{"columns": [{"name": "x", "type": "number"}]}""", "$.columns[0].type", "categorical")]
    [InlineData("""{"columns": [{"name": "x", "type": "date", "min": "2000-01-01", "max": "31/12/2000"}]}""", "$.columns[0].max", "yyyy-MM-dd")]
    [InlineData("""{"columns": [{"name": "x", "type": "integer", "min": 0, "max": 9}, {"name": "x", "type": "integer", "min": 0, "max": 9}]}""", "$.columns[1].name", "twice")]
    [InlineData("""{"columns": [{"name": "x", "type": "integer", "min": 0, "max": 9}], "outOfDomain": "ignore"}""", "$.outOfDomain", "clip")]
    [InlineData("""{"a": 3, "b": 0}""", "$['b']", "positive")]
    [InlineData("""{"columns": [ """, "line", "malformed")]
    public void Given_InvalidSchema_When_Parsed_Then_ItThrowsWithJsonPathAndReason(string json, string location, string reasonFragment)
    {
        var error = Assert.Throws<SchemaException>(() => DatasetSchema.Parse(json));
        Assert.StartsWith(location, error.Message, StringComparison.Ordinal);
        Assert.Contains(reasonFragment, error.Message, StringComparison.Ordinal);
    }
}
