using System.Text;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Synthesis.Data;
using ReleaseGateway.Datasets.Schema;

namespace ReleaseGateway.Synthesis.Tests;

public class CsvTableTests
{
    private static readonly DatasetSchema Schema = DatasetSchema.Parse("""
        { "columns": [
           {"name": "id", "type": "identifier"},
           {"name": "age", "type": "integer", "min": 18, "max": 90, "bins": 4},
           {"name": "bmi", "type": "continuous", "min": 10, "max": 60, "binEdges": [10, 18.5, 25, 30, 40, 60], "missing": true},
           {"name": "sex", "type": "categorical", "categories": ["F", "M", "M, other"]},
           {"name": "seen", "type": "date", "min": "2000-01-15", "max": "2001-03-31", "granularity": "month"} ] }
        """);

    private static Stream Csv(string text) => new MemoryStream(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Given_ValidFile_When_Read_Then_EveryTypeIsCodedAndIdentifiersAreDropped()
    {
        EncodedTable table = CsvTableReader.Read(Csv("sex,id,age,bmi,seen\r\nF,1,18,10,2000-01-15\n\"M, other\",2,90,,2001-03-31\nM,3,54,24.9,2000-02-01\n"), Schema);
        Assert.Equal(["age", "bmi", "sex", "seen"], table.ColumnNames);
        Assert.Equal([4, 6, 3, 15], table.DomainSizes);
        Assert.Equal(3, table.RowCount);
        Assert.Equal([0, 3, 1], table.Column(0).ToArray());
        Assert.Equal([0, 5, 1], table.Column(1).ToArray());
        Assert.Equal([0, 2, 1], table.Column(2).ToArray());
        Assert.Equal([0, 14, 1], table.Column(3).ToArray());
    }

    [Fact]
    public void Given_BadRows_When_Validated_Then_RowColumnAndReasonAreReportedWithoutThrowing()
    {
        string text = "id,age,bmi,sex,seen\n1,17,20,F,2000-02-01\n2,30,abc,X,2000-02-01\n3,30\n4,30,20,\"F\"x,2000-02-01\n5,30,,F,2000-01-01\n";
        CsvValidationReport report = CsvTableReader.Validate(Csv(text), Schema);
        Assert.False(report.IsValid);
        Assert.Equal(5, report.RowCount);
        Assert.Contains(report.Problems, p => p.Row == 2 && p.Column == "age" && p.Message.Contains("outside", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Row == 3 && p.Column == "bmi" && p.Message.Contains("not a number", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Row == 3 && p.Column == "sex" && p.Message.Contains("categories", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Row == 4 && p.Column is null && p.Message.Contains("fields", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Row == 5 && p.Column is null && p.Message.Contains("quote", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Row == 6 && p.Column == "seen");
    }

    [Fact]
    public void Given_UnknownAndMissingHeaderColumns_When_Read_Then_ItThrowsWithEveryProblem()
    {
        var error = Assert.Throws<CsvValidationException>(() => CsvTableReader.Read(Csv("id,age,weight,sex,seen\n1,20,70,F,2000-02-01\n"), Schema));
        Assert.Contains(error.Problems, p => p.Row == 1 && p.Column == "weight" && p.Message.Contains("unknown", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Row == 1 && p.Column == "bmi" && p.Message.Contains("missing", StringComparison.Ordinal));
    }

    [Fact]
    public void Given_ClipPolicy_When_Read_Then_NumbersAreClippedToTheBounds()
    {
        DatasetSchema clip = DatasetSchema.Parse("""{"columns": [{"name": "x", "type": "integer", "min": 0, "max": 9}], "outOfDomain": "clip"}""");
        EncodedTable table = CsvTableReader.Read(Csv("x\n-5\n12\n4\n"), clip);
        Assert.Equal([0, 9, 4], table.Column(0).ToArray());
    }

    [Fact]
    public void Given_UnterminatedQuote_When_Validated_Then_ItIsReported()
    {
        CsvValidationReport report = CsvTableReader.Validate(Csv("id,age,bmi,sex,seen\n1,20,,\"F,2000-02-01\n"), Schema);
        Assert.Contains(report.Problems, p => p.Message.Contains("unterminated", StringComparison.Ordinal));
    }

    [Fact]
    public void Given_CodedTable_When_WrittenDecodedAndReadBack_Then_TheCodesAreReproduced()
    {
        EncodedTable table = CsvTableReader.Read(Csv("id,age,bmi,sex,seen\n1,18,10,F,2000-01-15\n2,90,,\"M, other\",2001-03-31\n3,54,24.9,M,2000-02-01\n4,40,59.5,F,2000-12-31\n"), Schema);
        var text = new StringWriter();
        CsvTableWriter.WriteDecoded(table, Schema, text, new SeededRandomSource(1));
        EncodedTable again = CsvTableReader.Read(Csv(text.ToString()), Schema);
        for (int j = 0; j < table.ColumnCount; j++)
        {
            Assert.Equal(table.Column(j).ToArray(), again.Column(j).ToArray());
        }

        Assert.StartsWith("id,age,bmi,sex,seen\n1,", text.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_CsvTable_When_WrittenAsParquet_Then_ItHoldsTheValuesTypedByTheSchemaWithMissingAsNull()
    {
        EncodedTable table = CsvTableReader.Read(Csv("id,age,bmi,sex,seen\n1,18,10,F,2000-01-15\n2,90,,\"M, other\",2001-03-31\n3,54,24.9,M,2000-02-01\n"), Schema);
        var decoded = DecodedTable.Decode(table, Schema, new SeededRandomSource(1));
        var csv = new StringWriter();
        CsvTableWriter.Write(decoded, csv);
        using var parquet = new MemoryStream();

        await ParquetTableWriter.WriteAsync(decoded, parquet);

        parquet.Position = 0;
        // Typed reads: each fails if the column was written with another type.
        await using var reader = await Parquet.ParquetReader.CreateAsync(parquet, new Parquet.ParquetOptions { UseDateOnlyTypeForDates = true });
        Assert.Equal(["id", "age", "bmi", "sex", "seen"], reader.Schema.DataFields.Select(f => f.Name));
        using var group = reader.OpenRowGroupReader(0);
        var f = reader.Schema.DataFields;
        var ids = new long?[3];
        var ages = new long?[3];
        var bmis = new double?[3];
        var sexes = new string[3];
        var seen = new DateOnly?[3];
        await group.ReadAsync<long>(f[0], ids);
        await group.ReadAsync<long>(f[1], ages);
        await group.ReadAsync<double>(f[2], bmis);
        await group.ReadAsync(f[3], sexes);
        await group.ReadAsync<DateOnly>(f[4], seen);
        var rows = csv.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(line => System.Text.RegularExpressions.Regex.Split(line, ",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)")).ToArray();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(rows[i][0], ids[i]!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(rows[i][1], ages[i]!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(rows[i][2], bmis[i]?.ToString("G10", System.Globalization.CultureInfo.InvariantCulture) ?? "");
            Assert.Equal(rows[i][3].Trim('"'), sexes[i]);
            Assert.Equal(rows[i][4], seen[i]!.Value.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Null(bmis[1]);
    }

    [Fact]
    public void Given_CodedTable_When_ItsCodesAreWritten_Then_TheFileHoldsTheIntegerCoding()
    {
        var table = new EncodedTable(["a", "b"], [3, 2], [[0, 2], [1, 0]]);
        var text = new StringWriter();
        CsvTableWriter.WriteCodes(table, text);
        Assert.Equal("a,b\n0,1\n2,0\n", text.ToString());
    }
}
