using System.Text;
using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Synthesis.Data;
using ReleaseGateway.Synthesis.Marginals;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Synthesis.Synthesizers;
using ReleaseGateway.Testing;

namespace ReleaseGateway.Synthesis.Tests;

public class PersonKeyTests
{
    private static Stream Csv(string text) => new MemoryStream(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Given_IdentifierWithRolePersonKey_When_Parsed_Then_ItIsThePersonKeyAndNotSynthesised()
    {
        var schema = DatasetSchema.Parse(Pbcseq.SchemaJson);

        Assert.Equal("id", schema.PersonKey?.Name);
        Assert.DoesNotContain("id", schema.SynthesisColumns.Select(c => c.Name));
    }

    [Theory]
    [InlineData("""{"columns": [{"name": "p", "type": "integer", "min": 0, "max": 3, "role": "personKey"}]}""", "must be a column of type 'identifier'")]
    [InlineData("""{"columns": [{"name": "p", "type": "identifier", "role": "personKey"}, {"name": "q", "type": "identifier", "role": "personKey"}, {"name": "x", "type": "integer", "min": 0, "max": 1}]}""", "at most one column may have role 'personKey'")]
    public void Given_InvalidPersonKey_When_Parsed_Then_SchemaErrorSaysWhy(string json, string reason)
    {
        var error = Assert.Throws<SchemaException>(() => DatasetSchema.Parse(json));

        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Given_Pbcseq_When_ReadWithPersons_Then_DensePersonIdsGroupTheVisits()
    {
        PersonTable read;
        using (var stream = File.OpenRead(Pbcseq.CsvPath))
            read = CsvTableReader.ReadWithPersons(stream, DatasetSchema.Parse(Pbcseq.SchemaJson));

        Assert.Equal(Pbcseq.Rows, read.Table.RowCount);
        Assert.NotNull(read.PersonIds);
        Assert.Equal(Pbcseq.Rows, read.PersonIds.Length);
        Assert.Equal(Enumerable.Range(0, Pbcseq.Persons), read.PersonIds.Distinct().Order());
        Assert.Equal(Pbcseq.MostRowsOfOnePerson, read.PersonIds.GroupBy(p => p).Max(g => g.Count()));
        Assert.DoesNotContain("id", read.Table.ColumnNames);
    }

    [Fact]
    public void Given_EmptyPersonKey_When_Validated_Then_TheRowIsRejected()
    {
        var schema = DatasetSchema.Parse("""{"columns": [{"name": "pid", "type": "identifier", "role": "personKey"}, {"name": "x", "type": "integer", "min": 0, "max": 1}]}""");

        var report = CsvTableReader.Validate(Csv("pid,x\na,0\n,1\n"), schema);

        Assert.False(report.IsValid);
        Assert.Contains(report.Problems, p => p.Column == "pid" && p.Message.Contains("person key is empty"));
    }

    [Fact]
    public void Given_PersonKey_When_SyntheticTableDecoded_Then_TheKeyColumnIsAbsent()
    {
        var schema = DatasetSchema.Parse("""{"columns": [{"name": "pid", "type": "identifier", "role": "personKey"}, {"name": "visit", "type": "identifier"}, {"name": "x", "type": "integer", "min": 0, "max": 1}]}""");
        var read = CsvTableReader.ReadWithPersons(Csv("pid,visit,x\nP-17,1,0\nP-17,2,1\nP-99,1,1\n"), schema);
        var writer = new StringWriter();

        CsvTableWriter.WriteDecoded(read.Table, schema, writer, new Privacy.Randomness.SeededRandomSource(1));

        Assert.Equal([0, 0, 1], read.PersonIds!);
        Assert.StartsWith("visit,x\n", writer.ToString().Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("P-", writer.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SynthesisMethod.Mst, 4)]
    [InlineData(SynthesisMethod.Aim, 3)]
    public void Given_RhoPerRowOfKSquared_When_Synthesised_Then_EveryMeasurementIsKSquaredTimesCheaperAndTheRunIsRhoPerPerson(SynthesisMethod method, int k)
    {
        // Group privacy (Bun and Steinke 2016, Prop. 1.9): run at rho / k^2 per row, pay rho per person of k rows.
        var schema = DatasetSchema.Parse(Pbcseq.SchemaJson);
        EncodedTable table;
        using (var stream = File.OpenRead(Pbcseq.CsvPath))
            table = CsvTableReader.ReadWithPersons(stream, schema).Table;
        var small = new EncodedTable(table.ColumnNames.Take(6).ToArray(), table.DomainSizes.Take(6).ToArray(),
            Enumerable.Range(0, 6).Select(j => table.Column(j).ToArray()).ToArray());
        var plan = ReleaseBudgetPlan.Create(1.0, 1e-9, 0.05, k, perPerson: true);

        var rowLevel = Synthesizer.Run(new TableMarginalSource(small),
            new SynthesisOptions { Method = method, Epsilon = 1.0, Delta = 1e-9, Seed = 5, RhoPerRow = plan.SynthesisRhoPerUnit });
        var personLevel = Synthesizer.Run(new TableMarginalSource(small),
            new SynthesisOptions { Method = method, Epsilon = 1.0, Delta = 1e-9, Seed = 5, RhoPerRow = plan.SynthesisRhoPerRow });

        Assert.Equal(plan.SynthesisRhoPerUnit / (k * k), personLevel.RhoBudget, 12);
        Assert.True(personLevel.RhoSpent <= plan.SynthesisRhoPerRow * (1 + 1e-9));
        Assert.True(GroupPrivacy.RhoForGroup(personLevel.RhoSpent, k) + plan.GateRho <= plan.TotalRho * (1 + 1e-9));
        // The first measurement (1-way marginals, the same plan in both runs) is charged k^2 times less: its sigma^2 is k^2 times larger.
        Assert.Equal(rowLevel.Charges[0].Rho / (k * k), personLevel.Charges[0].Rho, 0.02 * rowLevel.Charges[0].Rho / (k * k));
        Assert.Equal(SigmaSquared(rowLevel.Charges[0].Label) * k * k, SigmaSquared(personLevel.Charges[0].Label), 0.02 * SigmaSquared(personLevel.Charges[0].Label));
    }

    private static double SigmaSquared(string label)
    {
        var at = label.IndexOf("sigma^2 = ", StringComparison.Ordinal) + "sigma^2 = ".Length;
        return double.Parse(label[at..].TrimEnd(')'), System.Globalization.CultureInfo.InvariantCulture);
    }
}
