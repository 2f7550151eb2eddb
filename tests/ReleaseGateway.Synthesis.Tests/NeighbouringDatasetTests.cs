using MathNet.Numerics.Distributions;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Synthesis.Marginals;
using ReleaseGateway.Synthesis.Synthesizers;
using Xunit.Abstractions;

namespace ReleaseGateway.Synthesis.Tests;

/// <summary>
/// Empirical privacy check: run the synthesizer many times on two tables that differ in one rare
/// record and look for an event whose probabilities differ by more than e^epsilon (plus delta).
/// The rare record carries a value seen nowhere else in each of its columns; the distinguishers are
/// "the synthetic table holds at least t cells with a rare value" for several t, in both directions.
/// Each probability gets a Clopper–Pearson interval at a Bonferroni-corrected level, so a correct
/// mechanism fails with probability below 1%. The test exists to catch a mis-scaled noise parameter.
/// </summary>
public class NeighbouringDatasetTests(ITestOutputHelper output)
{
    private const double Delta = 1e-9;
    private const int Runs = 200;
    private const double Alpha = 0.01;
    private const int Columns = 4;
    private static readonly int[] Thresholds = [1, 3, 6, 10];

    [Theory]
    [InlineData(SynthesisMethod.Aim, 1.0)]
    [InlineData(SynthesisMethod.Mst, 1.0)]
    public void Given_TablesDifferingInOneRareRecord_When_Synthesized_Then_OutputProbabilitiesStayWithinExpEpsilon(SynthesisMethod method, double epsilon)
    {
        // 40 ordinary records over {0, 1, 2}^4 using only codes 0 and 1 (seed 17, correlated columns);
        // the neighbour adds one record (2, 2, 2, 2).
        var random = new SeededRandomSource(17);
        int n = 40;
        var columns = Enumerable.Range(0, Columns).Select(_ => new int[n]).ToArray();
        for (int i = 0; i < n; i++)
        {
            columns[0][i] = random.NextInt(2);
            for (int j = 1; j < Columns; j++)
            {
                columns[j][i] = random.NextDouble() < 0.8 ? columns[j - 1][i] : 1 - columns[j - 1][i];
            }
        }

        string[] names = Enumerable.Range(0, Columns).Select(j => "c" + j).ToArray();
        int[] domain = Enumerable.Repeat(3, Columns).ToArray();
        var table = new EncodedTable(names, domain, columns);
        var neighbour = new EncodedTable(names, domain, columns.Select(c => (int[])[.. c, 2]).ToArray());
        int[] without = Observe(table, method, epsilon);
        int[] with = Observe(neighbour, method, epsilon);

        double level = Alpha / (2 * Thresholds.Length);
        double worst = 0;
        for (int t = 0; t < Thresholds.Length; t++)
        {
            // Lower confidence bounds on epsilon from P[E | D'] <= e^eps P[E | D] + delta, and the reverse event.
            worst = Math.Max(worst, EpsilonLowerBound(with[t], without[t], level));
            worst = Math.Max(worst, EpsilonLowerBound(Runs - without[t], Runs - with[t], level));
        }

        output.WriteLine($"{method} epsilon {epsilon}: events without {string.Join(",", without)}, with {string.Join(",", with)}; epsilon lower bound {worst:F3}");
        Assert.True(worst <= epsilon, $"an event separates the neighbours with epsilon >= {worst:F3} > {epsilon}");
    }

    private static int[] Observe(EncodedTable table, SynthesisMethod method, double epsilon)
    {
        var events = new int[Thresholds.Length];
        for (int run = 0; run < Runs; run++)
        {
            SynthesisResult result = Synthesizer.Run(new TableMarginalSource(table), new SynthesisOptions { Method = method, Epsilon = epsilon, Delta = Delta, Seed = 1000 + run });
            int rare = 0;
            for (int j = 0; j < Columns; j++)
            {
                foreach (int code in result.Table.Column(j))
                {
                    rare += code == 2 ? 1 : 0;
                }
            }

            for (int t = 0; t < Thresholds.Length; t++)
            {
                events[t] += rare >= Thresholds[t] ? 1 : 0;
            }
        }

        return events;
    }

    /// <summary>log((lower CI of p1 - delta) / upper CI of p0), or 0 when not positive.</summary>
    private static double EpsilonLowerBound(int hits1, int hits0, double level)
    {
        double p1Low = hits1 == 0 ? 0 : Beta.InvCDF(hits1, Runs - hits1 + 1, level / 2);
        double p0High = hits0 == Runs ? 1 : Beta.InvCDF(hits0 + 1, Runs - hits0, 1 - level / 2);
        double numerator = p1Low - Delta;
        return numerator <= 0 ? 0 : Math.Max(0, Math.Log(numerator / p0High));
    }
}
