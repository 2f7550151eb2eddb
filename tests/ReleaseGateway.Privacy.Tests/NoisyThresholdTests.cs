using ReleaseGateway.Privacy.Mechanisms;
using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Privacy.Tests;

// The output distribution of AboveThreshold is computed exactly from the discrete Laplace pmf
// P(x) = (1 - r)/(1 + r) r^|x|, r = exp(-1/b), and compared with seeded runs at 5 binomial standard errors.
public class NoisyThresholdTests
{
    [Theory]
    [InlineData(new long[] { 3, 5, 8 }, new long[] { 6, 6, 6 }, 1, 1.0, 31L)]
    [InlineData(new long[] { 10, 2, 12, 0 }, new long[] { 12, 0, 11, 0 }, 2, 0.5, 32L)]
    [InlineData(new long[] { 0 }, new long[] { 1 }, 1, 2.0, 33L)]
    public void Given_Statistics_When_TestedManyTimes_Then_FirstAboveFrequenciesMatchTheExactProbabilities(long[] values, long[] thresholds, long sensitivity, double epsilon, long seed)
    {
        const int trials = 30_000;
        var random = new SeededRandomSource(seed);
        var counts = new int[values.Length + 1];
        for (int t = 0; t < trials; t++)
        {
            int index = NoisyThreshold.FirstAbove(random, values, thresholds, sensitivity, epsilon);
            counts[index < 0 ? values.Length : index]++;
        }

        double[] p = ExactProbabilities(values, thresholds, NoisyThreshold.Scales(sensitivity, epsilon));
        Assert.Equal(1.0, p.Sum(), 9);
        for (int i = 0; i < p.Length; i++)
        {
            double sd = Math.Sqrt(trials * p[i] * (1 - p[i]));
            Assert.InRange(counts[i], trials * p[i] - 5 * sd - 1, trials * p[i] + 5 * sd + 1);
        }
    }

    [Fact]
    public void Given_NeighbouringStatistics_When_ExactOutputProbabilitiesCompared_Then_RatioIsAtMostExpEpsilon()
    {
        // Every statistic moves by up to the sensitivity in either direction; each outcome's probability ratio is bounded by e^eps.
        const double epsilon = 0.8;
        var scales = NoisyThreshold.Scales(2, epsilon);
        long[] thresholds = [5, 5, 5];
        double[] d = ExactProbabilities([1, 4, 7], thresholds, scales);
        foreach (long[] neighbour in new[] { new long[] { 3, 6, 9 }, [-1, 2, 5], [3, 2, 9], [-1, 6, 5] })
        {
            double[] d2 = ExactProbabilities(neighbour, thresholds, scales);
            for (int i = 0; i < d.Length; i++)
            {
                Assert.True(d[i] <= Math.Exp(epsilon) * d2[i] * (1 + 1e-9) && d2[i] <= Math.Exp(epsilon) * d[i] * (1 + 1e-9), $"outcome {i}: {d[i]} vs {d2[i]}");
            }
        }
    }

    [Fact]
    public void Given_Epsilon_When_Scaled_Then_ThresholdNoiseIsTwoAndQueryNoiseFourSensitivitiesOverEpsilonRoundedUp()
    {
        var scales = NoisyThreshold.Scales(3, 0.7);

        Assert.InRange(scales.ThresholdScale, 6 / 0.7, 6 / 0.7 + 1e-6);
        Assert.Equal(2 * scales.ThresholdScale, scales.QueryScale);
        Assert.Equal(0.125, NoisyThreshold.Rho(0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => NoisyThreshold.Scales(0, 1));
        Assert.Throws<ArgumentException>(() => NoisyThreshold.FirstAbove(new SeededRandomSource(1), [1, 2], [1], 1, 1));
    }

    /// <summary>P(first above = i) = sum over threshold noise z of P(z) prod_{j&lt;i} P(nu &lt; T_j + z - f_j) P(nu &gt;= T_i + z - f_i); last entry: none.</summary>
    private static double[] ExactProbabilities(long[] values, long[] thresholds, NoisyThreshold.NoiseScales scales)
    {
        double rT = Math.Exp(-1 / scales.ThresholdScale), rQ = Math.Exp(-1 / scales.QueryScale);
        int range = (int)Math.Ceiling(60 * scales.ThresholdScale);
        var p = new double[values.Length + 1];
        for (int z = -range; z <= range; z++)
        {
            double pz = (1 - rT) / (1 + rT) * Math.Pow(rT, Math.Abs(z));
            double stillBelow = 1;
            for (int i = 0; i < values.Length; i++)
            {
                double above = AtLeast(thresholds[i] + z - values[i], rQ);
                p[i] += pz * stillBelow * above;
                stillBelow *= 1 - above;
            }

            p[values.Length] += pz * stillBelow;
        }

        return p;
    }

    /// <summary>P(nu &gt;= m) for nu discrete Laplace with r = exp(-1/b): r^m / (1 + r) for m &gt;= 1, by symmetry otherwise.</summary>
    private static double AtLeast(long m, double r) => m >= 1 ? Math.Pow(r, m) / (1 + r) : 1 - Math.Pow(r, 1 - m) / (1 + r);
}
