using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Synthesis.Data;
using ReleaseGateway.Synthesis.Marginals;
using ReleaseGateway.Synthesis.Models;
using ReleaseGateway.Synthesis.Synthesizers;
using ReleaseGateway.Testing;

namespace ReleaseGateway.Synthesis.Tests;

/// <summary>Estimation on junction trees whose cliques hold three columns, and AIM's 3-way path (ADR 0035).</summary>
public class JunctionTreeTests
{
    private const double N = 1000;

    // Domains 2, 3, 2, 3 for columns 0..3.
    private static readonly int[] Domain = [2, 3, 2, 3];

    /// <summary>
    /// A distribution that factorises over the cliques {0, 1, 2} and {1, 2, 3}: P(x) = P(x0, x1, x2) P(x3 | x1, x2),
    /// in counts summing to <see cref="N"/>, flattened row-major over the four columns.
    /// </summary>
    private static double[] Joint()
    {
        var random = new SeededRandomSource(11);
        var first = new double[2 * 3 * 2];
        for (int c = 0; c < first.Length; c++)
        {
            first[c] = 0.2 + random.NextDouble();
        }

        double sum = first.Sum();
        var joint = new double[2 * 3 * 2 * 3];
        for (int x1 = 0; x1 < 3; x1++)
        {
            for (int x2 = 0; x2 < 2; x2++)
            {
                double[] conditional = [0.1 + random.NextDouble(), 0.1 + random.NextDouble(), 0.1 + random.NextDouble()];
                double total = conditional.Sum();
                for (int x0 = 0; x0 < 2; x0++)
                {
                    for (int x3 = 0; x3 < 3; x3++)
                    {
                        joint[((x0 * 3 + x1) * 2 + x2) * 3 + x3] = N * first[(x0 * 3 + x1) * 2 + x2] / sum * conditional[x3] / total;
                    }
                }
            }
        }

        return joint;
    }

    /// <summary>The marginal of <paramref name="joint"/> over ascending <paramref name="attributes"/>.</summary>
    private static double[] Marginal(double[] joint, int[] attributes)
    {
        var result = new double[attributes.Aggregate(1, (size, a) => size * Domain[a])];
        var digits = new int[Domain.Length];
        for (int cell = 0; cell < joint.Length; cell++)
        {
            int rest = cell;
            for (int a = Domain.Length - 1; a >= 0; a--)
            {
                digits[a] = rest % Domain[a];
                rest /= Domain[a];
            }

            int index = 0;
            foreach (int a in attributes)
            {
                index = index * Domain[a] + digits[a];
            }

            result[index] += joint[cell];
        }

        return result;
    }

    private static Measurement Exact(double[] joint, int[] attributes)
    {
        double[] counts = Marginal(joint, attributes);
        return new Measurement(attributes, Enumerable.Range(0, counts.Length).ToArray(), counts, Enumerable.Repeat(1.0, counts.Length).ToArray(), "exact");
    }

    [Fact]
    public void Given_NoiselessMarginalsOfTwoThreeColumnCliques_When_Fitted_Then_EveryMarginalOfTheTrueDistributionIsRecovered()
    {
        double[] joint = Joint();
        GraphicalModel model = PgmEstimator.Fit(Domain, [Exact(joint, [0, 1, 2]), Exact(joint, [1, 2, 3])], N, 2000);

        // The measured cliques, sets inside one clique, and sets spanning both (inference along the junction tree):
        // a distribution that factorises over the cliques is the maximum-entropy fit of their marginals, so all match.
        int[][] sets = [[0, 1, 2], [1, 2, 3], [0, 3], [0, 2, 3], [0, 1, 3], [0, 1, 2, 3], [3]];
        foreach (int[] set in sets)
        {
            double[] expected = Marginal(joint, set);
            double[] fitted = model.Project(set);
            Assert.Equal(expected.Length, fitted.Length);
            for (int c = 0; c < expected.Length; c++)
            {
                Assert.True(Math.Abs(expected[c] - fitted[c]) <= 1e-3 * N, $"{string.Join(",", set)} cell {c}: {fitted[c]} vs {expected[c]}");
            }
        }
    }

    [Fact]
    public void Given_AModelOnThreeChainedCliques_When_ProjectingAcrossThem_Then_ItEqualsTheChainRuleOfTheCliqueMarginals()
    {
        // Columns 0..4 with cliques {0, 1, 2}, {2, 3}, {3, 4}; noisy (non-factorising) measurements so the fit is no data set's.
        int[] domain = [2, 3, 2, 3, 2];
        var random = new SeededRandomSource(4);
        Measurement Noisy(int[] attributes)
        {
            int size = attributes.Aggregate(1, (s, a) => s * domain[a]);
            double[] values = Enumerable.Range(0, size).Select(_ => 20 + 80 * random.NextDouble()).ToArray();
            return new Measurement(attributes, Enumerable.Range(0, size).ToArray(), values, Enumerable.Repeat(1.0, size).ToArray(), "noisy");
        }

        GraphicalModel model = PgmEstimator.Fit(domain, [Noisy([0, 1, 2]), Noisy([2, 3]), Noisy([3, 4])], 600, 200);
        double[] abc = model.Project([0, 1, 2]), cd = model.Project([2, 3]), de = model.Project([3, 4]), c2 = model.Project([2]), d3 = model.Project([3]);

        // P(x0, x1, x4) = sum over x2, x3 of P(x0, x1, x2) P(x3 | x2) P(x4 | x3).
        double[] projected = model.Project([0, 1, 4]);
        for (int x0 = 0; x0 < 2; x0++)
        {
            for (int x1 = 0; x1 < 3; x1++)
            {
                for (int x4 = 0; x4 < 2; x4++)
                {
                    double expected = 0;
                    for (int x2 = 0; x2 < 2; x2++)
                    {
                        for (int x3 = 0; x3 < 3; x3++)
                        {
                            expected += abc[(x0 * 3 + x1) * 2 + x2] * cd[x2 * 3 + x3] / c2[x2] * de[x3 * 2 + x4] / d3[x3];
                        }
                    }

                    Assert.Equal(expected, projected[(x0 * 3 + x1) * 2 + x4], 1e-6);
                }
            }
        }
    }

    private static EncodedTable Shared(string name) =>
        CsvTableReader.Read(Path.Combine(RepositoryPaths.SharedData, name + "-disc.csv"), DatasetSchema.Load(Path.Combine(RepositoryPaths.SharedData, name + "-domain.json")));

    [Fact]
    public void Given_ThreeWayCandidates_When_Synthesizing_Then_EveryRoundIsChargedAndTheBudgetIsSpentExactly()
    {
        EncodedTable real = Shared("colon");
        double epsilon = 1;
        SynthesisResult result = Synthesizer.Run(new TableMarginalSource(real), new SynthesisOptions { Epsilon = epsilon, Seed = 1, MaxMarginalColumns = 3 });
        double rho = ZcdpConversion.Rho(epsilon, 1e-9);
        Assert.True(result.RhoSpent <= rho, $"spent {result.RhoSpent} of {rho}");
        Assert.True(result.RhoSpent >= 0.999 * rho, "the whole budget should be used");
        Assert.Equal(result.RhoSpent, result.Charges.Sum(c => c.Rho), 1e-12);

        // Each round: one exponential-mechanism selection (sensitivity 3, the largest workload weight) and one measurement.
        var selections = result.Charges.Where(c => c.Label.Contains("selection", StringComparison.Ordinal)).ToList();
        var rounds = result.Charges.Where(c => c.Label.StartsWith("round", StringComparison.Ordinal) && !c.Label.Contains("selection", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(selections);
        Assert.Equal(selections.Count, rounds.Count);
        Assert.All(selections, s => Assert.Contains("sensitivity = 3", s.Label, StringComparison.Ordinal));
        Assert.Contains(rounds, r => r.Label.Contains("3-way", StringComparison.Ordinal));
        Assert.Equal(result.Measurements.Count, result.Charges.Count - selections.Count);
        Assert.Contains(result.Cliques, c => c.Count == 3);
        Assert.Equal(real.DomainSizes, result.Table.DomainSizes);
    }

    [Fact]
    public void Given_ThreeWayCandidates_When_RunTwiceWithOneSeed_Then_TheTablesAndChargesAreIdentical()
    {
        var source = new TableMarginalSource(Shared("nwtco"));
        var options = new SynthesisOptions { Epsilon = 1, Seed = 9, MaxMarginalColumns = 3 };
        SynthesisResult first = Synthesizer.Run(source, options), second = Synthesizer.Run(source, options);
        Assert.Equal(first.Charges, second.Charges);
        for (int c = 0; c < first.Table.ColumnCount; c++)
        {
            Assert.Equal(first.Table.Column(c).ToArray(), second.Table.Column(c).ToArray());
        }

        SynthesisResult other = Synthesizer.Run(source, options with { Seed = 10 });
        Assert.NotEqual(first.Table.Column(0).ToArray(), other.Table.Column(0).ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Given_AnUnsupportedMarginalSize_When_Synthesizing_Then_TheRunIsRefused(int columns)
    {
        var source = new TableMarginalSource(Shared("nwtco"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Synthesizer.Run(source, new SynthesisOptions { Epsilon = 1, Seed = 1, MaxMarginalColumns = columns }));
    }
}
