using ReleaseGateway.Evaluation.Tables;

namespace ReleaseGateway.Evaluation.Tests;

public class GowerMetricTests
{
    private static EvalTable Table(double[] x, int[] c) => new(
    [
        EvalColumn.Numeric(new ColumnSpec("x", ValueKind.Numeric, AttackRole.QuasiIdentifier, []), x),
        EvalColumn.Categorical(new ColumnSpec("c", ValueKind.Categorical, AttackRole.QuasiIdentifier, ["a", "b"]), c),
    ]);

    [Fact]
    public void Given_MixedRecords_When_TheGowerDistanceIsComputed_Then_ItAveragesRangeScaledNumericAndMismatchCategoricalTerms()
    {
        var t = Table([0, 10, 5], [0, 1, 0]);
        var metric = GowerMetric.Fit([0, 1], t);
        var rows = metric.Encode(t);
        // |0 − 5|/10 = 0.5 and a = a → (0.5 + 0)/2; |0 − 10|/10 = 1 and a ≠ b → (1 + 1)/2.
        Assert.Equal(0.25f, metric.Distance(rows, 0, rows, 2), 5);
        Assert.Equal(1f, metric.Distance(rows, 0, rows, 1), 5);
    }

    [Fact]
    public void Given_MissingValues_When_Compared_Then_TwoMissingAgreeAndOneMissingDiffersFully()
    {
        var t = Table([double.NaN, double.NaN, 3], [-1, -1, 0]);
        var metric = GowerMetric.Fit([0, 1], t);
        var rows = metric.Encode(t);
        Assert.Equal(0f, metric.Distance(rows, 0, rows, 1));
        Assert.Equal(1f, metric.Distance(rows, 0, rows, 2));
    }

    [Fact]
    public void Given_Records_When_NearestNeighboursAreSearched_Then_TheyAgreeWithBruteForce()
    {
        var table = TestTables.Mixed(300, 11);
        var metric = GowerMetric.Fit([0, 1, 2, 3, 4], table);
        var rows = metric.Encode(table);
        var queries = metric.Encode(table.Select(Enumerable.Range(0, 20).ToArray()));
        var found = metric.Nearest(queries, rows, 3, default, excludeSame: true);
        for (var q = 0; q < 20; q++)
        {
            var brute = Enumerable.Range(0, 300).Where(c => c != q).Select(c => metric.Distance(queries, q, rows, c)).Order().Take(3).ToArray();
            Assert.Equal(brute, found.Distances.Skip(q * 3).Take(3).ToArray());
        }
    }

    [Fact]
    public void Given_ConstantColumn_When_TheGowerDistanceIsComputed_Then_NothingDividesByZero()
    {
        var t = Table([4, 4, 4], [0, 0, 1]);
        var metric = GowerMetric.Fit([0, 1], t);
        var rows = metric.Encode(t);
        Assert.Equal(0.5f, metric.Distance(rows, 0, rows, 2));
    }
}
