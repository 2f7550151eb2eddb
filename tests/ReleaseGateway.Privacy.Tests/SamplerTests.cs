using ReleaseGateway.Privacy.Mechanisms;
using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Privacy.Tests;

// Statistical tests: fixed seeds; tolerances are 5 standard errors derived from the exact
// distribution, so a correct sampler fails with probability below about 1e-6 per check, while
// a mis-scaled one (e.g. sigma off by 5%) fails for certain at these sample sizes.
public class SamplerTests
{
    private const double Z = 5;

    [Theory]
    [InlineData(2.0, 11)]
    [InlineData(0.7, 12)]
    [InlineData(25.0, 13)]
    public void Given_DiscreteGaussian_When_Sampled_Then_FrequenciesMatchTheExactProbabilitiesWithinFiveStandardErrors(double sigma, long seed)
    {
        const int n = 200_000;
        var sampler = new DiscreteGaussian(sigma);
        var random = new SeededRandomSource(seed);
        var counts = new Dictionary<long, int>();
        double sum = 0, sumSquares = 0;
        for (int i = 0; i < n; i++)
        {
            long x = sampler.Sample(random);
            counts[x] = counts.GetValueOrDefault(x) + 1;
            sum += x;
            sumSquares += (double)x * x;
        }

        double s2 = sampler.SigmaSquared;
        int range = (int)Math.Ceiling(12 * Math.Sqrt(s2)) + 2;
        double normaliser = 0, variance = 0;
        for (int x = -range; x <= range; x++)
        {
            normaliser += Math.Exp(-x * (double)x / (2 * s2));
        }

        for (int x = -range; x <= range; x++)
        {
            double p = Math.Exp(-x * (double)x / (2 * s2)) / normaliser;
            variance += p * x * x;
            double expected = n * p;
            Assert.InRange(counts.GetValueOrDefault(x), expected - Z * Math.Sqrt(expected) - 1, expected + Z * Math.Sqrt(expected) + 1);
        }

        double mean = sum / n;
        Assert.InRange(mean, -Z * Math.Sqrt(variance / n), Z * Math.Sqrt(variance / n));
        // Var of the sample second moment is E[X^4] - Var^2 = 2 Var^2 for a (near-)Gaussian.
        double secondMoment = sumSquares / n;
        double se = Math.Sqrt(2.0 / n) * variance;
        Assert.InRange(secondMoment, variance - Z * se - 1e-9, variance + Z * se + 1e-9);
    }

    [Fact]
    public void Given_DiscreteGaussianWithSigma2_When_Sampled_Then_TheVarianceIsWithinTheoreticalTolerance()
    {
        const int n = 100_000;
        var sampler = new DiscreteGaussian(2.0);
        var random = new SeededRandomSource(2020);
        double sumSquares = 0;
        for (int i = 0; i < n; i++)
        {
            long x = sampler.Sample(random);
            sumSquares += (double)x * x;
        }

        // For sigma >= 1 the discrete Gaussian's variance equals sigma^2 to within 1e-15 (CKS 2020, Fact 18).
        double se = Math.Sqrt(2.0 / n) * 4;
        Assert.InRange(sumSquares / n, 4 - Z * se, 4 + Z * se);
    }

    [Fact]
    public void Given_DiscreteGaussianMechanism_When_Built_Then_SigmaSquaredIsRoundedUpAndTheMatchingRhoCharged()
    {
        var sampler = new DiscreteGaussian(Math.Sqrt(10.0 / 3));
        Assert.True(sampler.SigmaSquared >= 10.0 / 3);
        Assert.True(sampler.SigmaSquared - 10.0 / 3 <= 1.0 / 65536);
        Assert.Equal(1 / (2 * sampler.SigmaSquared), sampler.Rho(), 1e-15);
    }

    [Theory]
    [InlineData(1UL, 1UL, 21)]
    [InlineData(3UL, 1UL, 22)]
    [InlineData(7UL, 2UL, 23)]
    public void Given_DiscreteLaplace_When_Sampled_Then_FrequenciesMatchTheExactProbabilitiesWithinFiveStandardErrors(ulong t, ulong s, long seed)
    {
        const int n = 200_000;
        var random = new SeededRandomSource(seed);
        var counts = new Dictionary<long, int>();
        for (int i = 0; i < n; i++)
        {
            long x = DiscreteLaplace.Sample(random, t, s);
            counts[x] = counts.GetValueOrDefault(x) + 1;
        }

        double b = (double)s / t;
        double c = (Math.Exp(b) - 1) / (Math.Exp(b) + 1);
        for (int x = -30; x <= 30; x++)
        {
            double expected = n * c * Math.Exp(-Math.Abs(x) * b);
            Assert.InRange(counts.GetValueOrDefault(x), expected - Z * Math.Sqrt(expected) - 1, expected + Z * Math.Sqrt(expected) + 1);
        }
    }

    [Fact]
    public void Given_ExponentialMechanism_When_Selecting_Then_ProbabilitiesAreProportionalToExpEpsilonScoreOverTwoSensitivity()
    {
        const int n = 100_000;
        double[] scores = [0, 1, 2, 4];
        const double epsilon = 1.0, sensitivity = 0.5;
        var random = new SeededRandomSource(99);
        var counts = new int[scores.Length];
        for (int i = 0; i < n; i++)
        {
            counts[ExponentialMechanism.Select(random, scores, epsilon, sensitivity)]++;
        }

        double[] weights = scores.Select(q => Math.Exp(epsilon * q / (2 * sensitivity))).ToArray();
        double total = weights.Sum();
        for (int i = 0; i < scores.Length; i++)
        {
            double p = weights[i] / total;
            double se = Math.Sqrt(n * p * (1 - p));
            Assert.InRange(counts[i], n * p - Z * se, n * p + Z * se);
        }
    }

    [Fact]
    public void Given_ExponentialMechanism_When_Charged_Then_RhoIsEpsilonSquaredOverEight()
    {
        Assert.Equal(0.125, ExponentialMechanism.Rho(1.0), 1e-15);
        Assert.Equal(1.0, ExponentialMechanism.EpsilonForRho(0.125), 1e-15);
    }

    [Fact]
    public void Given_NonPowerOfTwoRange_When_NextBelowIsSampled_Then_ItIsUniform()
    {
        const int n = 60_000;
        var random = new SeededRandomSource(5);
        var counts = new int[6];
        for (int i = 0; i < n; i++)
        {
            counts[random.NextBelow(6UL)]++;
        }

        double se = Math.Sqrt(n * (1.0 / 6) * (5.0 / 6));
        Assert.All(counts, c => Assert.InRange(c, n / 6.0 - Z * se, n / 6.0 + Z * se));
    }

    [Fact]
    public void Given_SeededRandomSource_When_ReplayedWithTheSameSeed_Then_ItIsReproducible()
    {
        var a = new SeededRandomSource(7);
        var b = new SeededRandomSource(7);
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(a.NextUInt64(), b.NextUInt64());
        }
    }

    [Fact]
    public void Given_Counts_When_DiscreteGaussianNoiseIsAdded_Then_EveryCountGetsIntegerNoiseOfTheRightScale()
    {
        const int n = 50_000;
        var counts = new long[n];
        Array.Fill(counts, 100);
        new DiscreteGaussian(3.0).AddNoise(new SeededRandomSource(31), counts);
        double mean = counts.Average();
        double variance = counts.Sum(c => (c - 100.0) * (c - 100.0)) / n;
        Assert.InRange(mean, 100 - Z * 3 / Math.Sqrt(n), 100 + Z * 3 / Math.Sqrt(n));
        Assert.InRange(variance, 9 - Z * 9 * Math.Sqrt(2.0 / n), 9 + Z * 9 * Math.Sqrt(2.0 / n));
    }
}
