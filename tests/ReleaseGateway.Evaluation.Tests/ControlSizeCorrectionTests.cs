using ReleaseGateway.Evaluation.Attacks;
using ReleaseGateway.Evaluation.Protocol;
using ReleaseGateway.Evaluation.Statistics;
using ReleaseGateway.Evaluation.Tables;
using ReleaseGateway.Privacy.Randomness;
using Xunit.Abstractions;

namespace ReleaseGateway.Evaluation.Tests;

public sealed class ControlSizeCorrectionTests(ITestOutputHelper output)
{
    private const int TrainRows = 2000;
    private const int ControlRows = 500;

    [Fact]
    public void Given_APartlyCopiedRelease_When_ControlSuccessesAreScaledToTheTrainingSize_Then_TheEstimateMatchesAFreshSetOfThatSize()
    {
        // The middle case: 10 % of the release copied from training, the rest independent marginals. The truth is the
        // number of the release's predicates that single out one record in a fresh set of n rows from the same population.
        const int repetitions = 12;
        var estimates = new List<double>();
        var errors = new List<double>();
        var jeffreysErrors = new List<double>();
        var standardErrors = new List<double>();
        var truths = new List<double>();
        for (var rep = 0; rep < repetitions; rep++)
        {
            var population = TestTables.Mixed((2 * TrainRows) + ControlRows, 1000 + rep);
            var train = population.Select(Enumerable.Range(0, TrainRows).ToArray());
            var control = population.Select(Enumerable.Range(TrainRows, ControlRows).ToArray());
            var fresh = population.Select(Enumerable.Range(TrainRows + ControlRows, TrainRows).ToArray());
            var random = new SeededRandomSource(rep);
            var copied = Enumerable.Range(0, TrainRows / 10).Select(_ => random.NextInt(TrainRows)).ToArray();
            var synthetic = Concat(train.Select(copied), IndependentMarginals.Sample(train, TrainRows - copied.Length, random));
            var predicates = SinglingOut.MultivariatePredicates(synthetic, [0, 1, 2, 3, 4], 200, 3, 100_000, random, default);
            var matches = predicates.Select(p => Enumerable.Range(0, ControlRows).Where(r => p.All(t => t.Matches(control.Columns[t.Column], r))).ToArray()).ToArray();
            var truth = predicates.Count(p => SinglingOut.Count(fresh, p, 1) == 1);
            var estimate = ControlSizeCorrection.Estimate(matches, ControlRows, TrainRows, 50, random);
            var jeffreys = Jeffreys(matches.Select(m => m.Length), ControlRows, TrainRows);
            estimates.Add(estimate.Successes);
            errors.Add(estimate.Successes - truth);
            jeffreysErrors.Add(jeffreys - truth);
            standardErrors.Add(estimate.StandardError);
            truths.Add(truth);
            output.WriteLine($"rep {rep}: predicates {predicates.Count}, truth {truth}, estimate {estimate.Successes:0.0} ± {estimate.StandardError:0.0}, Jeffreys {jeffreys:0.0}");
        }

        var bias = errors.Average();
        var spread = Math.Sqrt(errors.Sum(e => (e - bias) * (e - bias)) / (repetitions - 1));
        output.WriteLine($"mean truth {truths.Average():0.0}; bias {bias:0.00} (sd {spread:0.00}); Jeffreys bias {jeffreysErrors.Average():0.00}; mean bootstrap se {standardErrors.Average():0.00}");
        var estimateSpread = Math.Sqrt(estimates.Sum(e => (e - estimates.Average()) * (e - estimates.Average())) / (repetitions - 1));

        // No significant bias: within three standard errors of the mean error (seeded, so the figures are fixed:
        // bias +6.4 on a mean truth of 16.1 here, with a spread of 12 per repetition; the previous Jeffreys correction was
        // +15.3, nearly twice the truth).
        Assert.InRange(bias, -3 * spread / Math.Sqrt(repetitions), 3 * spread / Math.Sqrt(repetitions));
        Assert.True(Math.Abs(bias) < jeffreysErrors.Average(), $"bias {bias} vs Jeffreys {jeffreysErrors.Average()}");

        // An honest interval: the bootstrap error is of the size of the estimate's actual spread over repetitions.
        Assert.InRange(standardErrors.Average(), 0.5 * estimateSpread, 2 * estimateSpread);
    }

    // The previous per-predicate correction: w ~ Beta(c + ½, m − c + ½), E[n·w(1 − w)^(n−1)] in closed form.
    private static double Jeffreys(IEnumerable<int> counts, double m, double n) =>
        counts.Sum(c => Math.Exp(Math.Log(n) + MathNet.Numerics.SpecialFunctions.BetaLn(c + 1.5, m - c + n - 0.5) - MathNet.Numerics.SpecialFunctions.BetaLn(c + 0.5, m - c + 0.5)));

    private static EvalTable Concat(EvalTable first, EvalTable second) =>
        new([.. first.Columns.Select((c, i) => c.Kind == ValueKind.Categorical
            ? EvalColumn.Categorical(c.Spec, [.. c.Codes, .. second.Columns[i].Codes])
            : EvalColumn.Numeric(c.Spec, [.. c.Values, .. second.Columns[i].Values]))]);
}
