using ReleaseGateway.Evaluation.Gates;
using ReleaseGateway.Evaluation.Protocol;
using ReleaseGateway.Evaluation.Reports;
using ReleaseGateway.Evaluation.Tables;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Evaluation.Tests;

public class ProtocolAndReportTests
{
    [Fact]
    public void Given_Table_When_SplitWithASeed_Then_TheSplitIsReproducibleDisjointAndComplete()
    {
        var a = HoldoutSplit.Split(1000, 0.2, 42);
        var b = HoldoutSplit.Split(1000, 0.2, 42);
        Assert.Equal(a.Holdout, b.Holdout);
        Assert.Equal(200, a.Holdout.Length);
        Assert.Equal(Enumerable.Range(0, 1000), a.Train.Concat(a.Holdout).Order());
        Assert.NotEqual(a.Holdout, HoldoutSplit.Split(1000, 0.2, 43).Holdout);
    }

    [Fact]
    public void Given_SingleRow_When_Split_Then_ItStaysInTraining()
    {
        var split = HoldoutSplit.Split(1, 0.2, 1);
        Assert.Equal([0], split.Train);
        Assert.Empty(split.Holdout);
    }

    [Fact]
    public void Given_CsvWithQuotedLineBreaks_When_Split_Then_RecordsAreCopiedVerbatim()
    {
        var csv = "id,note\n1,\"a\nb\"\n2,plain\n3,\"x,\"\"y\"\"\"\n4,z\n5,w\n";
        var train = new StringWriter();
        var holdout = new StringWriter();
        var result = CsvSplit.Split(new StringReader(csv), train, holdout, 0.4, KeyedCoin.FromPublicSeed(3, RandomPurpose.Split));
        Assert.Equal(5, result.Train + result.Holdout);
        var records = CsvSplit.Records(train.ToString()).Skip(1).Concat(CsvSplit.Records(holdout.ToString()).Skip(1)).Order().ToArray();
        Assert.Equal(["1,\"a\nb\"", "2,plain", "3,\"x,\"\"y\"\"\"", "4,z", "5,w"], records);
        Assert.StartsWith("id,note\n", holdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Given_PersonKeyColumn_When_CsvSplit_Then_EveryPersonsRecordsStayOnOneSide()
    {
        var csv = "pid,x\n" + string.Concat(Enumerable.Range(0, 400).Select(i => $"\"p,{i % 57}\",{i}\n"));
        var train = new StringWriter();
        var holdout = new StringWriter();

        var result = CsvSplit.Split(new StringReader(csv), train, holdout, 0.3, new KeyedCoin(new byte[32], RandomPurpose.Split), "pid");

        var trainPersons = CsvSplit.Records(train.ToString()).Skip(1).Select(r => CsvSplit.Fields(r)[0]).ToHashSet();
        var holdoutPersons = CsvSplit.Records(holdout.ToString()).Skip(1).Select(r => CsvSplit.Fields(r)[0]).ToHashSet();
        Assert.Equal(400, result.Train + result.Holdout);
        Assert.Equal(57, trainPersons.Count + holdoutPersons.Count);
        Assert.Empty(trainPersons.Intersect(holdoutPersons));
        Assert.Throws<FormatException>(() => CsvSplit.Split(new StringReader(csv), new StringWriter(), new StringWriter(), 0.3, new KeyedCoin(new byte[32], RandomPurpose.Split), "patient"));
    }

    [Fact]
    public void Given_CsvWithAnUnclosedQuote_When_Split_Then_Rejected()
    {
        Assert.Throws<FormatException>(() => CsvSplit.Records("a,b\n1,\"x\n"));
    }

    [Fact]
    public void Given_SchemaWithoutRoles_When_Coded_Then_ItRoundTripsAndEveryColumnIsAQuasiIdentifier()
    {
        var schema = DatasetSchema.Parse("""{"age": 4, "sex": 2}""");
        var coding = new SchemaCoding(schema);
        var encoded = new global::ReleaseGateway.Datasets.Data.EncodedTable(["age", "sex"], [4, 2], [[0, 3, 2], [1, 0, 1]]);
        var table = coding.ToEval(encoded);
        Assert.All(table.Columns, c => Assert.Equal(AttackRole.QuasiIdentifier, c.Spec.Role));
        var back = coding.ToEncoded(table);
        Assert.Equal(encoded.Column(0).ToArray(), back.Column(0).ToArray());
        Assert.Equal(encoded.Column(1).ToArray(), back.Column(1).ToArray());
    }

    [Fact]
    public void Given_FullSchema_When_Coded_Then_RolesBinsDatesAndMissingCodesAreMapped()
    {
        var schema = DatasetSchema.Parse("""
            { "columns": [
               {"name": "age", "type": "integer", "min": 18, "max": 90, "bins": 4, "role": "quasi-identifier"},
               {"name": "bmi", "type": "continuous", "min": 10, "max": 60, "binEdges": [10, 25, 60], "missing": true, "role": "sensitive"},
               {"name": "sex", "type": "categorical", "categories": ["F", "M"], "role": "quasi-identifier"},
               {"name": "diagnosed", "type": "date", "min": "2000-01-01", "max": "2000-12-31", "granularity": "month"},
               {"name": "status", "type": "categorical", "categories": ["0", "1"], "role": "target"},
               {"name": "id", "type": "identifier", "role": "identifier"} ] }
            """);
        var coding = new SchemaCoding(schema);
        Assert.Equal(["age", "bmi", "sex", "diagnosed", "status"], coding.Specs.Select(s => s.Name));
        Assert.Equal([AttackRole.QuasiIdentifier, AttackRole.Sensitive, AttackRole.QuasiIdentifier, AttackRole.None, AttackRole.Target], coding.Specs.Select(s => s.Role));
        // bmi has 2 value codes and a missing code (2); diagnosed codes months.
        var encoded = new global::ReleaseGateway.Datasets.Data.EncodedTable(["age", "bmi", "sex", "diagnosed", "status"], [4, 3, 2, 12, 2], [[0, 3], [0, 2], [1, 0], [0, 11], [1, 1]]);
        var table = coding.ToEval(encoded);
        // Integer bins split the 73 values 18..90 into widths of 73/4: bin 0 = [18, 36.25), midpoint 27.125.
        Assert.Equal(27.125, table.Columns[0].Values[0], 9);
        Assert.Equal(17.5, table.Columns[1].Values[0], 9);
        Assert.True(double.IsNaN(table.Columns[1].Values[1]));
        Assert.Equal(new DateOnly(2000, 12, 1).DayNumber, table.Columns[3].Values[1]);
        var back = coding.ToEncoded(table);
        for (var c = 0; c < 5; c++)
        {
            Assert.Equal(encoded.Column(c).ToArray(), back.Column(c).ToArray());
        }
    }

    [Fact]
    public async Task Given_Report_When_WrittenAsJsonAndHtml_Then_JsonRoundTripsAndHtmlPutsGatesBeforePlotsWithoutNetworkReferences()
    {
        var (train, holdout) = TestTables.Split(TestTables.Mixed(600, 1), 1);
        var report = await Evaluator.RunAsync(new EvaluationInput
        {
            Train = train, Holdout = holdout, Synthetic = IndependentMarginals.Sample(train, train.RowCount, new SeededRandomSource(2)),
            ClaimedEpsilon = 1, Seed = 3, Budget = TestTables.SmallBudget,
        });
        var json = ReportJson.Serialize(report);
        var back = ReportJson.Deserialize(json);
        Assert.Equal(report.Gates, back.Gates);
        Assert.Equal(EvaluationReport.CurrentSchema, back.Schema);
        Assert.Contains("\"maxMembershipTprAt1PctFpr\"", json, StringComparison.Ordinal);
        Assert.Contains("\"status\": \"pass\"", json, StringComparison.Ordinal);

        var html = HtmlReport.Render(report);
        var gates = html.IndexOf("<h2>Gates</h2>", StringComparison.Ordinal);
        var firstPlot = html.IndexOf("<svg", StringComparison.Ordinal);
        Assert.InRange(gates, 0, firstPlot);
        Assert.True(html.Split("<svg").Length - 1 >= report.Columns.Count + 4, "one plot per column, two heatmaps, ROC and attribute risks");
        Assert.DoesNotContain("src=\"http", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"http", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_GateThresholds_When_Compared_Then_EachHelperComparesInTheStatedDirection()
    {
        Assert.Equal(GateStatus.Pass, GateResult.AtMost("g", 0.1, 0.1, "").Status);
        Assert.Equal(GateStatus.Fail, GateResult.AtMost("g", 0.11, 0.1, "").Status);
        Assert.Equal(GateStatus.Fail, GateResult.AtLeast("g", 0.4, 0.5, "").Status);
        Assert.Null(GateResult.FailedClosed("g", 0.5, "≥", "boom").Value);
    }
}
