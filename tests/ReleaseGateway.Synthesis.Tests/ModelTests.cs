using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Synthesis.Marginals;
using ReleaseGateway.Synthesis.Models;

namespace ReleaseGateway.Synthesis.Tests;

public class ModelTests
{
    // A chain a - b - c with strong dependence, 600 rows (seed 3).
    private static EncodedTable Chain()
    {
        var random = new SeededRandomSource(3);
        int n = 600;
        int[] a = new int[n], b = new int[n], c = new int[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = random.NextInt(3);
            b[i] = random.NextDouble() < 0.8 ? a[i] : random.NextInt(3);
            c[i] = random.NextDouble() < 0.7 ? b[i] % 2 : random.NextInt(2);
        }

        return new EncodedTable(["a", "b", "c"], [3, 3, 2], [a, b, c]);
    }

    private static Measurement Exact(IMarginalSource source, int[] attributes)
    {
        double[] counts = source.Count(attributes);
        return new Measurement(attributes, Enumerable.Range(0, counts.Length).ToArray(), counts, Enumerable.Repeat(1.0, counts.Length).ToArray(), "exact");
    }

    [Fact]
    public void Given_ExactTreeMarginals_When_Fitted_Then_TheModelRecoversThemWithinOnePercentOfTheTotal()
    {
        var source = new TableMarginalSource(Chain());
        Measurement[] measurements = [Exact(source, [0, 1]), Exact(source, [1, 2])];
        GraphicalModel model = PgmEstimator.Fit(source.DomainSizes, measurements, 600, 1000);
        foreach (Measurement m in measurements)
        {
            double[] fitted = model.Project(m.Attributes);
            for (int c = 0; c < fitted.Length; c++)
            {
                Assert.InRange(fitted[c], m.Values[c] - 6, m.Values[c] + 6);
            }
        }
    }

    [Fact]
    public void Given_FittedTreeModel_When_ProjectedAcrossCliques_Then_ItEqualsTheChainRuleOfTheTreeMarginals()
    {
        var source = new TableMarginalSource(Chain());
        GraphicalModel model = PgmEstimator.Fit(source.DomainSizes, [Exact(source, [0, 1]), Exact(source, [1, 2])], 600, 300);
        double[] ab = model.Project([0, 1]), bc = model.Project([1, 2]), b = model.Project([1]);
        double[] ac = model.Project([0, 2]);
        for (int x = 0; x < 3; x++)
        {
            for (int z = 0; z < 2; z++)
            {
                double expected = Enumerable.Range(0, 3).Sum(y => ab[x * 3 + y] * bc[y * 2 + z] / b[y]);
                Assert.Equal(expected, ac[x * 2 + z], 1e-6);
            }
        }
    }

    [Fact]
    public void Given_NoisyCoarseMeasurement_When_Fitted_Then_TheFineShapeOfTheOneWayMarginalIsKept()
    {
        // One fine 1-way of b (exact) and a coarse measurement of (a, b) that merges b's codes 1 and 2:
        // maximum entropy splits each coarse cell in proportion to b's 1-way.
        var source = new TableMarginalSource(Chain());
        double[] ab = source.Count([0, 1]);
        int[] cellMap = [0, 1, 1, 2, 3, 3, 4, 5, 5];
        var coarse = new double[6];
        for (int c = 0; c < 9; c++)
        {
            coarse[cellMap[c]] += ab[c];
        }

        var measurement = new Measurement([0, 1], cellMap, coarse, Enumerable.Repeat(1.0, 6).ToArray(), "coarse");
        GraphicalModel model = PgmEstimator.Fit(source.DomainSizes, [Exact(source, [1]), measurement], 600, 1000);
        double[] b = model.Project([1]);
        double[] truth = source.Count([1]);
        for (int y = 0; y < 3; y++)
        {
            Assert.InRange(b[y], truth[y] - 6, truth[y] + 6);
        }
    }

    [Fact]
    public void Given_FittedModel_When_Sampled_Then_RoundedCountsKeepOneWayMarginalsWithinTheNumberOfGroups()
    {
        var source = new TableMarginalSource(Chain());
        GraphicalModel model = PgmEstimator.Fit(source.DomainSizes, [Exact(source, [0, 1]), Exact(source, [1, 2])], 600, 300);
        int[][] columns = ModelSampler.Sample(model, 600, new SeededRandomSource(8));
        var synthetic = new TableMarginalSource(new EncodedTable(["a", "b", "c"], [3, 3, 2], columns));
        for (int a = 0; a < 3; a++)
        {
            double[] expected = model.Project([a]);
            double[] actual = synthetic.Count([a]);
            for (int c = 0; c < expected.Length; c++)
            {
                // Each conditional group rounds to within one row per value; at most 3 x 3 groups feed a column.
                Assert.InRange(actual[c], expected[c] - 9, expected[c] + 9);
            }
        }
    }

    [Fact]
    public void Given_TwoTables_When_TheWorkloadErrorIsComputed_Then_ItIsZeroForATableWithItselfAndOneForDisjointSupports()
    {
        EncodedTable table = Chain();
        Assert.Equal(0, WorkloadError.MeanTvd(table, table, 2), 1e-12);
        var zeros = new EncodedTable(["a", "b"], [2, 2], [[0, 0], [0, 0]]);
        var ones = new EncodedTable(["a", "b"], [2, 2], [[1, 1], [1, 1]]);
        Assert.Equal(1, WorkloadError.MeanTvd(zeros, ones, 1), 1e-12);
        Assert.Equal(0.5, WorkloadError.Tvd([1, 1, 0, 0], [0, 1, 1, 0]), 1e-12);
    }
}
