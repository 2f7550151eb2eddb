using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Synthesis.Data;
using ReleaseGateway.Synthesis.Marginals;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Synthesis.Synthesizers;
using ReleaseGateway.Testing;

namespace ReleaseGateway.Synthesis.Tests;

public class SynthesizerTests
{
    private static EncodedTable Shared(string name) =>
        CsvTableReader.Read(Path.Combine(RepositoryPaths.SharedData, name + "-disc.csv"), DatasetSchema.Load(Path.Combine(RepositoryPaths.SharedData, name + "-domain.json")));

    [Theory]
    [InlineData(SynthesisMethod.Aim, 0.3)]
    [InlineData(SynthesisMethod.Mst, 0.3)]
    [InlineData(SynthesisMethod.Aim, 3.0)]
    [InlineData(SynthesisMethod.Mst, 3.0)]
    public void Given_SharedTable_When_Synthesized_Then_AtMostTheBudgetIsSpentAndTheDomainIsKept(SynthesisMethod method, double epsilon)
    {
        EncodedTable real = Shared("nwtco");
        SynthesisResult result = Synthesizer.Run(new TableMarginalSource(real), new SynthesisOptions { Method = method, Epsilon = epsilon, Seed = 5 });
        double rho = ZcdpConversion.Rho(epsilon, 1e-9);
        Assert.Equal(rho, result.RhoBudget, 1e-15);
        Assert.True(result.RhoSpent <= rho, $"spent {result.RhoSpent} of {rho}");
        Assert.True(result.RhoSpent >= 0.999 * rho, "the whole budget should be used");
        Assert.Equal(result.RhoSpent, result.Charges.Sum(c => c.Rho), 1e-12);
        Assert.Equal(real.ColumnNames, result.Table.ColumnNames);
        Assert.Equal(real.DomainSizes, result.Table.DomainSizes);
        Assert.NotEmpty(result.Cliques);
        // The noisy count: sd well under 100 records at these budgets, so it lies within 10% of 4028.
        Assert.InRange(result.Table.RowCount, 3600, 4450);
    }

    [Fact]
    public void Given_SameSeed_When_SynthesizedAgain_Then_TheOutputIsReproducibleAndRowsOverrideTheNoisyCount()
    {
        var source = new TableMarginalSource(Shared("gbsg"));
        var options = new SynthesisOptions { Epsilon = 1, Seed = 11, Rows = 500 };
        SynthesisResult first = Synthesizer.Run(source, options);
        SynthesisResult second = Synthesizer.Run(source, options);
        Assert.Equal(500, first.Table.RowCount);
        for (int j = 0; j < first.Table.ColumnCount; j++)
        {
            Assert.Equal(first.Table.Column(j).ToArray(), second.Table.Column(j).ToArray());
        }
    }

    [Fact]
    public void Given_NwtcoAtEpsilonOne_When_Synthesized_Then_ItIsCloserToTheDataThanTheReferenceMst()
    {
        // Reference MST at epsilon = 1 on nwtco: tvd2 = 0.0775 (shared/data/BASELINES.md). A quality
        // smoke test, not the benchmark: one seed, and a margin of 20% above the reference.
        EncodedTable real = Shared("nwtco");
        SynthesisResult result = Synthesizer.Run(new TableMarginalSource(real), new SynthesisOptions { Epsilon = 1, Seed = 1 });
        Assert.True(WorkloadError.MeanTvd(real, result.Table, 2) < 0.0775 * 1.2);
    }

    [Theory]
    [InlineData(0.0, 1e-9)]
    [InlineData(-1.0, 1e-9)]
    [InlineData(double.PositiveInfinity, 1e-9)]
    [InlineData(1.0, 0.0)]
    [InlineData(1.0, 1.0)]
    public void Given_InvalidPrivacyParameters_When_Synthesizing_Then_ItThrows(double epsilon, double delta)
    {
        var source = new TableMarginalSource(new EncodedTable(["a"], [2], [[0, 1]]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Synthesizer.Run(source, new SynthesisOptions { Epsilon = epsilon, Delta = delta }));
    }

    [Fact]
    public void Given_RawColonTableWithAFullSchema_When_Synthesized_Then_ValuesOfTheOriginalTypesAreWrittenAndReadBack()
    {
        DatasetSchema schema = DatasetSchema.Parse("""
            { "columns": [
               {"name": "id", "type": "identifier", "role": "identifier"},
               {"name": "study", "type": "integer", "min": 1, "max": 1},
               {"name": "rx", "type": "categorical", "categories": ["Obs", "Lev", "Lev+5FU"], "role": "sensitive"},
               {"name": "sex", "type": "categorical", "categories": ["0", "1"], "role": "quasi-identifier"},
               {"name": "age", "type": "integer", "min": 18, "max": 89, "bins": 8, "role": "quasi-identifier"},
               {"name": "obstruct", "type": "categorical", "categories": ["0", "1"]},
               {"name": "perfor", "type": "categorical", "categories": ["0", "1"]},
               {"name": "adhere", "type": "categorical", "categories": ["0", "1"]},
               {"name": "nodes", "type": "integer", "min": 0, "max": 40, "binEdges": [0, 1, 2, 4, 8, 40], "missing": true},
               {"name": "status", "type": "categorical", "categories": ["0", "1"], "role": "target"},
               {"name": "differ", "type": "categorical", "categories": ["1", "2", "3"], "missing": true},
               {"name": "extent", "type": "integer", "min": 1, "max": 4},
               {"name": "surg", "type": "categorical", "categories": ["0", "1"]},
               {"name": "node4", "type": "categorical", "categories": ["0", "1"]},
               {"name": "time", "type": "continuous", "min": 0, "max": 3400, "bins": 17},
               {"name": "etype", "type": "categorical", "categories": ["1", "2"]} ] }
            """);
        EncodedTable real = CsvTableReader.Read(Path.Combine(RepositoryPaths.SharedData, "colon.csv"), schema);
        SynthesisResult result = Synthesizer.Run(new TableMarginalSource(real), new SynthesisOptions { Epsilon = 1, Seed = 2 });
        var text = new StringWriter();
        CsvTableWriter.WriteDecoded(result.Table, schema, text, new SeededRandomSource(3));
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text.ToString()));
        CsvValidationReport report = CsvTableReader.Validate(stream, schema);
        Assert.True(report.IsValid, string.Join("; ", report.Problems));
        Assert.Equal(result.Table.RowCount, report.RowCount);
        Assert.StartsWith("id,study,rx,sex,age,", text.ToString(), StringComparison.Ordinal);
        Assert.Contains(",Lev+5FU,", text.ToString(), StringComparison.Ordinal);
    }
}
