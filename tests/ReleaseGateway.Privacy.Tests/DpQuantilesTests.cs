using ReleaseGateway.Privacy.Mechanisms;
using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Privacy.Tests;

// Smith (2011) exponential-mechanism quantile: exact gap probabilities on a tiny table, concentration at large epsilon,
// the uniform limit as epsilon -> 0, and the zCDP charge epsilon^2 / 8 per quantile.
public class DpQuantilesTests
{
    [Fact]
    public void Given_TwoValues_When_MedianDrawnManyTimes_Then_GapFrequenciesMatchTheExactDensity()
    {
        // Values {2, 5} in [0, 10], q = 1/2, epsilon = 1, Delta = 1: q n = 1, gaps [0,2) u = -1, [2,5) u = 0, [5,10] u = -1,
        // weights 2 e^-1/2, 3, 5 e^-1/2.
        double w0 = 2 * Math.Exp(-0.5), w1 = 3, w2 = 5 * Math.Exp(-0.5), total = w0 + w1 + w2;
        double[] p = [w0 / total, w1 / total, w2 / total];
        const int trials = 30_000;
        var counts = new int[3];
        var random = new SeededRandomSource(7);
        for (int t = 0; t < trials; t++)
        {
            double y = DpQuantiles.Quantile(random, [2, 5], 0.5, 0, 10, 1, 1);
            Assert.InRange(y, 0, 10);
            counts[y < 2 ? 0 : y < 5 ? 1 : 2]++;
        }

        for (int i = 0; i < 3; i++)
        {
            double sd = Math.Sqrt(trials * p[i] * (1 - p[i]));
            Assert.InRange(counts[i], trials * p[i] - 5 * sd, trials * p[i] + 5 * sd);
        }
    }

    [Fact]
    public void Given_ExponentialData_When_EdgesDrawnAtLargeEpsilon_Then_TheyLandNearTheTrueQuantiles()
    {
        // 20,000 draws of Exp(1) on public bounds [0, 20]; true quartiles ln(4/3), ln 2, ln 4.
        var data = new SeededRandomSource(1);
        var values = Enumerable.Range(0, 20_000).Select(_ => -Math.Log(data.NextOpenDouble())).ToArray();
        double[] edges = DpQuantiles.BinEdges(new SeededRandomSource(2), values, 4, 0, 20, epsilon: 5, sensitivity: 1);

        Assert.Equal(5, edges.Length);
        Assert.Equal(0, edges[0]);
        Assert.Equal(20, edges[^1]);
        double[] truth = [Math.Log(4.0 / 3), Math.Log(2), Math.Log(4)];
        for (int k = 0; k < 3; k++)
        {
            Assert.InRange(edges[k + 1], truth[k] - 0.05, truth[k] + 0.05);
        }
    }

    [Fact]
    public void Given_TinyEpsilon_When_MedianDrawnManyTimes_Then_ItIsUniformOverTheBounds()
    {
        double[] values = Enumerable.Repeat(1.0, 50).ToArray();
        const int trials = 20_000;
        var random = new SeededRandomSource(11);
        int firstQuarter = 0;
        double sum = 0;
        for (int t = 0; t < trials; t++)
        {
            double y = DpQuantiles.Quantile(random, values, 0.5, 0, 100, 1e-9, 1);
            sum += y;
            firstQuarter += y < 25 ? 1 : 0;
        }

        double sd = Math.Sqrt(trials * 0.25 * 0.75);
        Assert.InRange(firstQuarter, trials * 0.25 - 5 * sd, trials * 0.25 + 5 * sd);
        Assert.InRange(sum / trials, 50 - 5 * 100 / Math.Sqrt(12 * trials), 50 + 5 * 100 / Math.Sqrt(12 * trials));
    }

    [Fact]
    public void Given_TheSameSeed_When_EdgesDrawnTwice_Then_TheyAreEqualAndStrictlyIncreasing()
    {
        double[] values = Enumerable.Range(0, 500).Select(i => (double)(i % 37)).ToArray();
        double[] a = DpQuantiles.BinEdges(new SeededRandomSource(5), values, 8, 0, 40, 0.5, 1);
        double[] b = DpQuantiles.BinEdges(new SeededRandomSource(5), values, 8, 0, 40, 0.5, 1);

        Assert.Equal(a, b);
        for (int i = 1; i < a.Length; i++)
        {
            Assert.True(a[i] > a[i - 1]);
        }
    }

    [Theory]
    [InlineData(0.01, 15)]
    [InlineData(0.5, 1)]
    public void Given_ABudget_When_SplitOverQuantiles_Then_TheirZcdpCostIsExactlyThatBudget(double rho, int count)
    {
        double epsilon = DpQuantiles.EpsilonPerQuantile(rho, count);

        Assert.Equal(rho, DpQuantiles.Rho(epsilon, count), 12);
        Assert.Equal(count * epsilon * epsilon / 8, rho, 12);
    }

    [Fact]
    public void Given_InvalidBounds_When_EdgesAsked_Then_Refused()
    {
        Assert.Throws<ArgumentException>(() => DpQuantiles.BinEdges(new SeededRandomSource(1), [1.0], 4, 5, 5, 1, 1));
    }
}
