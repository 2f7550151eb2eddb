using System.Globalization;
using System.Text;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Privacy.Mechanisms;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Privacy.Sampling;
using ReleaseGateway.Synthesis.Binning;
using ReleaseGateway.Synthesis.Marginals;
using ReleaseGateway.Synthesis.Synthesizers;

namespace ReleaseGateway.Synthesis.Tests;

// Bounds-only numeric columns: the schema accepts them, DP quantiles place their edges at a charged slice, and the
// resolved schema runs through the synthesizer like one with hand-made binEdges.
public class DpBinningTests
{
    private const string Schema = """
        { "columns": [
           {"name": "id", "type": "identifier", "role": "personKey"},
           {"name": "bmi", "type": "continuous", "min": 10, "max": 60, "missing": true},
           {"name": "dose", "type": "integer", "min": 0, "max": 100000, "dpBins": 8},
           {"name": "sex", "type": "categorical", "categories": ["F", "M"]} ] }
        """;

    private static string Csv(int rows, int rowsPerPerson)
    {
        var random = new SeededRandomSource(3);
        var text = new StringBuilder("id,bmi,dose,sex\n");
        for (int i = 0; i < rows; i++)
        {
            bool male = random.NextDouble() < 0.5;
            double bmi = 20 + 8 * random.NextDouble() + (male ? 4 : 0);
            string cell = i % 50 == 0 ? "" : bmi.ToString("F2", CultureInfo.InvariantCulture);
            long dose = (long)(-1000 * Math.Log(random.NextOpenDouble()));
            text.Append(CultureInfo.InvariantCulture, $"p{i / rowsPerPerson},{cell},{Math.Min(dose, 100000)},{(male ? "M" : "F")}\n");
        }

        return text.ToString();
    }

    private static Stream Stream(string text) => new MemoryStream(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Given_BoundsOnlyColumns_When_SchemaParsed_Then_TheyAwaitDpBinsAndHaveNoCodesYet()
    {
        DatasetSchema schema = DatasetSchema.Parse(Schema);

        Assert.Equal(["bmi", "dose"], schema.DpBinnedColumns.Select(c => c.Name));
        Assert.Equal(ColumnSchema.DefaultDpBins, schema.Find("bmi")!.DpBinCount);
        Assert.Equal(8, schema.Find("dose")!.DpBinCount);
        Assert.Throws<InvalidOperationException>(() => schema.Find("bmi")!.DomainSize);
        Assert.Equal(2, schema.Find("sex")!.DomainSize);
    }

    [Theory]
    [InlineData("""{"name": "x", "type": "continuous", "min": 5, "max": 5}""", "'max' must be greater than 'min'")]
    [InlineData("""{"name": "x", "type": "continuous", "min": 5}""", "needs finite public bounds")]
    [InlineData("""{"name": "x", "type": "continuous", "min": 0, "max": 1, "dpBins": 1}""", "'dpBins' must be between 2")]
    [InlineData("""{"name": "x", "type": "continuous", "min": 0, "max": 1, "bins": 4, "dpBins": 4}""", "give one of 'bins', 'binEdges' or 'dpBins'")]
    [InlineData("""{"name": "x", "type": "integer", "min": 0, "max": 3, "dpBins": 8}""", "8 DP bins exceed the 4 integers")]
    [InlineData("""{"name": "x", "type": "categorical", "categories": ["a"], "dpBins": 8}""", "only allowed on integer and continuous")]
    public void Given_AnInvalidBoundsOnlyColumn_When_SchemaParsed_Then_RefusedWithAClearReason(string column, string reason)
    {
        var e = Assert.Throws<SchemaException>(() => DatasetSchema.Parse($$"""{"columns": [{{column}}]}"""));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_ABudgetPlanWithBinning_When_Created_Then_TheSliceIsItsOwnLineAndTheSlicesSumToTheTotal()
    {
        var plan = ReleaseBudgetPlan.Create(1, 1e-9, 0.1, 3, perPerson: true, ReleaseBudgetPlan.DefaultBinningShare);
        var without = ReleaseBudgetPlan.Create(1, 1e-9, 0.1, 3, perPerson: true);

        Assert.Equal(0, without.BinningRho);
        Assert.Equal(0.1 * (plan.TotalRho - plan.GateRho), plan.BinningRho, 15);
        Assert.Equal(plan.TotalRho, plan.GateRho + plan.BinningRho + plan.SynthesisRhoPerUnit, 15);
        Assert.Equal(plan.SynthesisRhoPerUnit / 9, plan.SynthesisRhoPerRow, 15);
    }

    [Fact]
    public void Given_ABoundsOnlySchema_When_BinnedAndSynthesized_Then_TheSliceIsSpentExactlyAndTheOutputUsesTheDpEdges()
    {
        DatasetSchema schema = DatasetSchema.Parse(Schema);
        string csv = Csv(3000, 2);
        var plan = ReleaseBudgetPlan.Create(1, 1e-9, 0, 2, perPerson: true, ReleaseBudgetPlan.DefaultBinningShare);
        RawNumericColumns raw = CsvTableReader.ReadNumbers(Stream(csv), schema, ["bmi", "dose"]);
        var coin = KeyedCoin.FromPublicSeed(9, RandomPurpose.Bounding);
        int[] kept = ContributionBounding.Bound(raw.PersonIds!, 2, coin);

        DpBinningResult binning = DpBinning.Place(schema, raw, kept, plan.BinningRho, 2, new SeededRandomSource(4));

        // 15 + 7 quantiles share the slice: each at epsilon = sqrt(8 rho / 22), together exactly rho.
        Assert.Equal(plan.BinningRho, binning.RhoSpent, 12);
        Assert.Equal(DpQuantiles.EpsilonPerQuantile(plan.BinningRho, 22), binning.EpsilonPerQuantile, 12);
        ColumnSchema bmi = binning.Schema.Find("bmi")!;
        Assert.False(bmi.NeedsDpBins);
        Assert.Equal(10, bmi.BinEdges![0]);
        Assert.Equal(60, bmi.BinEdges[^1]);
        Assert.All(binning.Edges["dose"], e => Assert.Equal(Math.Floor(e), e));
        Assert.Empty(binning.Schema.DpBinnedColumns);

        // The edges crowd where the data are (bmi 20..32): equal-width bins over the public [10, 60] put 5 of 17 edges
        // there; at this small slice (epsilon ~ 0.02 per quantile, sensitivity 2) DP quantiles put about twice as many.
        Assert.True(bmi.BinEdges.Count(e => e is >= 19 and <= 33) >= 9, string.Join(", ", bmi.BinEdges));

        PersonTable read = CsvTableReader.ReadWithPersons(Stream(csv), binning.Schema);
        EncodedTable table = read.Table.SelectRows(ContributionBounding.Bound(read.PersonIds!, 2, coin));
        var options = new SynthesisOptions { Epsilon = 1, Delta = 1e-9, Seed = 5, RhoPerRow = plan.SynthesisRhoPerRow };
        SynthesisResult result = Synthesizer.Run(new TableMarginalSource(table), options);

        Assert.True(result.RhoSpent <= plan.SynthesisRhoPerRow * (1 + 1e-9));
        Assert.Equal(binning.Schema.SynthesisColumns.Select(c => c.DomainSize), result.Table.DomainSizes);
    }

    [Fact]
    public void Given_TheSameSeed_When_BinnedTwice_Then_TheEdgesAreEqual()
    {
        DatasetSchema schema = DatasetSchema.Parse(Schema);
        RawNumericColumns raw = CsvTableReader.ReadNumbers(Stream(Csv(500, 1)), schema, ["bmi", "dose"]);

        DpBinningResult a = DpBinning.Place(schema, raw, null, 0.01, 1, new SeededRandomSource(8));
        DpBinningResult b = DpBinning.Place(schema, raw, null, 0.01, 1, new SeededRandomSource(8));

        Assert.Equal(a.Edges["bmi"], b.Edges["bmi"]);
        Assert.Equal(a.Edges["dose"], b.Edges["dose"]);
    }

    [Fact]
    public void Given_ABoundsOnlyColumn_When_TheUploadIsValidated_Then_ValuesAreCheckedAgainstTheBounds()
    {
        DatasetSchema schema = DatasetSchema.Parse(Schema);

        CsvValidationReport report = CsvTableReader.Validate(Stream("id,bmi,dose,sex\np1,70,5,F\np2,,5,M\n"), schema);

        Assert.Single(report.Problems);
        Assert.Equal("bmi", report.Problems[0].Column);
    }
}
