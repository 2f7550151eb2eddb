using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Evaluation.Fidelity;
using ReleaseGateway.Evaluation.Gates;
using ReleaseGateway.Evaluation.Reports;
using ReleaseGateway.Evaluation.Tables;
using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Evaluation.Tests;

public class SubgroupFidelityTests
{
    private const int Sex = 2;
    private const int Outcome = 4;

    private static readonly (EvalTable Train, EvalTable Holdout) Data = TestTables.Split(TestTables.Mixed(800, 7, coded: true), 7);

    /// <summary>The training data with stage and outcome shuffled among the male rows only: their 1-way marginals stay, their links to age, weight and each other are gone.</summary>
    private static EvalTable DropMaleCorrelation(EvalTable train)
    {
        var male = Enumerable.Range(0, train.RowCount).Where(r => train.Columns[Sex].Codes[r] == 1).ToArray();
        var random = new SeededRandomSource(11);
        var columns = train.Columns.Select((c, i) =>
        {
            if (i < 3)
            {
                return c;
            }

            var codes = (int[])c.Codes.Clone();
            var moved = (int[])male.Clone();
            random.Shuffle(moved);
            for (var k = 0; k < male.Length; k++)
            {
                codes[male[k]] = c.Codes[moved[k]];
            }

            return EvalColumn.Categorical(c.Spec, codes);
        });
        return new EvalTable([.. columns]);
    }

    private static SubgroupReport Compute(EvalTable synthetic, int minimumRows = 30) =>
        SubgroupAnalysis.Compute(Data.Train, Data.Holdout, synthetic, [0, 1, 2, 3, 4], [Sex], Outcome, minimumRows, 1500, new SeededRandomSource(5), CancellationToken.None);

    [Fact]
    public void Given_CopyOfTrainingData_When_SubgroupsMeasured_Then_EveryTvdGapIsZero()
    {
        var report = Compute(Data.Train);
        Assert.Equal(0, report.WholeTvd2, 12);
        Assert.Equal(["F", "M"], report.Groups.Select(g => g.Category));
        Assert.All(report.Groups, g =>
        {
            Assert.True(g.Measured);
            Assert.Equal(0, g.Tvd2!.Value, 12);
            Assert.Equal(0, g.Tvd2Gap!.Value, 12);
            Assert.NotNull(g.TstrRatio);
        });
        Assert.Equal(0, report.WorstTvd2Gap!.Value, 12);
    }

    [Fact]
    public void Given_SyntheticDataWithoutOneSubgroupsCorrelation_When_SubgroupsMeasured_Then_ThatSubgroupIsWorst()
    {
        var report = Compute(DropMaleCorrelation(Data.Train));
        Assert.Equal("sex = M", report.WorstTvd2Group);
        Assert.True(report.WorstTvd2Gap > 0.02, $"gap {report.WorstTvd2Gap}");
        var female = report.Groups.Single(g => g.Category == "F");
        Assert.Equal(0, female.Tvd2!.Value, 12);
        Assert.True(female.Tvd2Gap < 0);
        Assert.Equal("sex = M", report.WorstTstrGroup);
        Assert.True(report.WorstTstrGap > 0, $"TSTR gap {report.WorstTstrGap}");
    }

    [Fact]
    public void Given_SubgroupsBelowTheMinimum_When_Measured_Then_TheyAreListedButNotMeasured()
    {
        var report = Compute(Data.Train, minimumRows: 10_000);
        Assert.Equal(10_000, report.MinimumRows);
        Assert.All(report.Groups, g => Assert.False(g.Measured));
        Assert.All(report.Groups, g => Assert.Null(g.Tvd2));
        Assert.Null(report.WorstTvd2Gap);
    }

    [Fact]
    public void Given_ProtectedAttributes_When_SchemaParsed_Then_TheyAreKept()
    {
        var schema = DatasetSchema.Parse(Schema("\"sex\", \"band\""));
        Assert.Equal(["sex", "band"], schema.ProtectedAttributes);
        Assert.Empty(DatasetSchema.Parse(Schema(null)).ProtectedAttributes);
    }

    [Theory]
    [InlineData("\"ethnicity\"", "$.protectedAttributes[0]", "'ethnicity' is not a column of this schema")]
    [InlineData("\"sex\", \"age\"", "$.protectedAttributes[1]", "'age' has type integer; a protected attribute must be a synthesised categorical column")]
    [InlineData("\"sex\", \"sex\"", "$.protectedAttributes[1]", "'sex' is listed twice")]
    [InlineData("\"id\"", "$.protectedAttributes[0]", "a protected attribute must be a synthesised categorical column")]
    public void Given_InvalidProtectedAttribute_When_SchemaParsed_Then_RefusedNamingTheEntry(string names, string path, string message)
    {
        var error = Assert.Throws<SchemaException>(() => DatasetSchema.Parse(Schema(names)));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_ProtectedAttribute_When_Evaluated_Then_GateOffByDefaultAndBlocksWhenPolicySetsIt()
    {
        var synthetic = DropMaleCorrelation(Data.Train);
        EvaluationInput Input(GateThresholds thresholds, string[] protectedAttributes) => new()
        {
            Train = Data.Train, Holdout = Data.Holdout, Synthetic = synthetic, ClaimedEpsilon = 1, Seed = 1,
            Budget = TestTables.SmallBudget with { MembershipTargets = 200, DensityTargets = 100, SinglingOutAttacks = 50, LinkabilityAttacks = 100, InferenceAttacks = 100 },
            Thresholds = thresholds, ProtectedAttributes = protectedAttributes,
        };

        var none = await Evaluator.RunAsync(Input(new GateThresholds(), []));
        Assert.Equal(GateStatus.NotApplicable, none.Gates.Single(g => g.Name == "maxSubgroupTvd2Gap").Status);
        Assert.Null(none.Fidelity.Subgroups);

        var byDefault = await Evaluator.RunAsync(Input(new GateThresholds(), ["sex"]));
        var gate = byDefault.Gates.Single(g => g.Name == "maxSubgroupTvd2Gap");
        Assert.Equal(GateStatus.Pass, gate.Status);
        Assert.Contains("sex = M", gate.Detail, StringComparison.Ordinal);

        var strict = PolicyLoader.Parse("gates:\n  maxSubgroupTvd2Gap: 0.01\n").Thresholds;
        var blocked = await Evaluator.RunAsync(Input(strict, ["sex"]));
        Assert.Equal(GateStatus.Fail, blocked.Gates.Single(g => g.Name == "maxSubgroupTvd2Gap").Status);
        Assert.False(blocked.Passed);

        var html = HtmlReport.Render(blocked);
        Assert.Contains("<h2>Subgroup fidelity</h2>", html, StringComparison.Ordinal);
        Assert.Contains("<td>sex</td><td>M</td>", html, StringComparison.Ordinal);
        Assert.Contains("Worst subgroup by TVD: <strong>sex = M</strong>", html, StringComparison.Ordinal);
        var json = ReportJson.Serialize(blocked);
        Assert.Contains("\"subgroups\"", json, StringComparison.Ordinal);
        Assert.Equal("sex = M", ReportJson.Deserialize(json).Fidelity.Subgroups!.WorstTvd2Group);
    }

    [Fact]
    public void Given_SubgroupGapOutOfRange_When_PolicyParsed_Then_Refused()
    {
        Assert.Equal(1, PolicyLoader.Parse("gates: {}\n").Thresholds.MaxSubgroupTvd2Gap);
        var error = Assert.Throws<PolicyException>(() => PolicyLoader.Parse("gates:\n  maxSubgroupTvd2Gap: 1.5\n"));
        Assert.Contains("gates.maxSubgroupTvd2Gap", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_ProtectedAttributeNotCategorical_When_Evaluated_Then_Refused()
    {
        var input = new EvaluationInput { Train = Data.Train, Holdout = Data.Holdout, Synthetic = Data.Train, ProtectedAttributes = ["age"] };
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Evaluator.RunAsync(input));
        Assert.Contains("'age' is not a categorical column", error.Message, StringComparison.Ordinal);
    }

    private static string Schema(string? protectedNames) => $$"""
        { "columns": [
           {"name": "id", "type": "identifier", "role": "identifier"},
           {"name": "age", "type": "integer", "min": 18, "max": 90},
           {"name": "sex", "type": "categorical", "categories": ["F", "M"]},
           {"name": "band", "type": "categorical", "categories": ["<40", "40-65", ">65"]} ]
          {{(protectedNames is null ? string.Empty : $", \"protectedAttributes\": [{protectedNames}]")}} }
        """;
}
