using ReleaseGateway.Evaluation.Attacks;
using ReleaseGateway.Evaluation.Statistics;
using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Evaluation.Tests;

public class StatisticsTests
{
    [Fact]
    public void Given_NoSuccesses_When_TheClopperPearsonIntervalIsComputed_Then_ItsUpperBoundHasTheClosedForm()
    {
        // For k = 0 the upper bound solves (1 − p)^n = α/2, i.e. p = 1 − (α/2)^(1/n).
        var interval = BinomialConfidence.ClopperPearson(0, 10, 0.95);
        Assert.Equal(0, interval.Lower);
        Assert.Equal(1 - Math.Pow(0.025, 0.1), interval.Upper, 6);
    }

    [Fact]
    public void Given_SwappedSuccessesAndFailures_When_TheClopperPearsonIntervalIsComputed_Then_ItIsMirrored()
    {
        var a = BinomialConfidence.ClopperPearson(3, 20, 0.9);
        var b = BinomialConfidence.ClopperPearson(17, 20, 0.9);
        Assert.Equal(a.Lower, 1 - b.Upper, 9);
        Assert.Equal(a.Upper, 1 - b.Lower, 9);
    }

    [Fact]
    public void Given_Counts_When_TheWilsonIntervalIsComputed_Then_ItMatchesThePublishedFormula()
    {
        var (rate, error) = BinomialConfidence.Wilson(30, 100, 0.95);
        const double z = 1.959963984540054;
        Assert.Equal((30 + z * z / 2) / (100 + z * z), rate, 9);
        Assert.Equal(z / (100 + z * z) * Math.Sqrt(30 * 70 / 100.0 + z * z / 4), error, 9);
    }

    [Fact]
    public void Given_TrainingAndControlSucceedingEqually_When_ResidualRiskIsComputed_Then_ItIsZero()
    {
        var risk = PrivacyRisk.FromCounts(500, 200, 500, 200, 100);
        Assert.Equal(0, risk.Value, 9);
        Assert.True(risk.Upper > 0);
    }

    [Fact]
    public void Given_EveryTrainingAttackSucceedingAndControlMostlyFailing_When_ResidualRiskIsComputed_Then_ItIsNearOne()
    {
        var risk = PrivacyRisk.FromCounts(1000, 1000, 1000, 100, 10);
        Assert.True(risk.Value > 0.99, $"risk {risk.Value}");
        Assert.True(risk.Lower > 0.98);
    }

    [Fact]
    public void Given_PerfectlySeparatedScores_When_TheRocIsComputed_Then_ItsAreaIsOneAndTprIsFullAtZeroFpr()
    {
        var roc = RocCurve.Compute([5, 6, 7], [1, 2, 3]);
        Assert.Equal(1, roc.Auc, 12);
        Assert.Equal(1, roc.TprAtFpr(0), 12);
        Assert.Equal(1, roc.Advantage(), 12);
    }

    [Fact]
    public void Given_TiedScores_When_TheRocIsComputed_Then_ItIsTheDiagonal()
    {
        var roc = RocCurve.Compute([1, 1, 1, 1], [1, 1]);
        Assert.Equal(0.5, roc.Auc, 12);
        Assert.Equal(0.01, roc.TprAtFpr(0.01), 12);
        Assert.Equal(0, roc.Advantage(), 12);
    }

    [Fact]
    public void Given_Scores_When_TheRocAucIsComputed_Then_ItEqualsTheMannWhitneyProbability()
    {
        double[] pos = [0.9, 0.8, 0.4, 0.4];
        double[] neg = [0.7, 0.4, 0.1];
        var pairs = pos.SelectMany(p => neg.Select(n => p > n ? 1.0 : p == n ? 0.5 : 0.0)).Average();
        Assert.Equal(pairs, RocCurve.Compute(pos, neg).Auc, 12);
    }

    [Fact]
    public void Given_PerfectSeparation_When_EmpiricalEpsilonIsComputed_Then_ItIsBoundedByTheSampleSize()
    {
        // 500 members and 500 non-members in the test half, no errors: the bound is
        // ln[(1 − FPR_u)/FNR_u] with FPR_u = FNR_u = 1 − 0.025^(1/500) (one-sided CP at 97.5 %). Scores are tied
        // within each side so that the threshold picked on the calibration half flags every test member, whichever
        // way the seed splits them.
        var members = Enumerable.Repeat(10.0, 1000).ToArray();
        var nonMembers = Enumerable.Repeat(-10.0, 1000).ToArray();
        var estimate = EmpiricalEpsilon.Estimate(members, nonMembers, 0, 0.95, new SeededRandomSource(1));
        var u = 1 - Math.Pow(0.025, 1.0 / 500);
        Assert.Equal(Math.Log((1 - u) / u), estimate.LowerBound, 6);
    }

    [Fact]
    public void Given_EpsilonOneRandomisedResponse_When_EmpiricalEpsilonIsComputed_Then_ItStaysBelowOne()
    {
        // Members answer "1" with probability e/(1+e), non-members with 1/(1+e): exactly 1-DP.
        // A valid 95 % lower bound exceeds the true ε with probability ≤ 5 %; seed 7 is fixed.
        var random = new SeededRandomSource(7);
        var p = Math.E / (1 + Math.E);
        var members = Enumerable.Range(0, 4000).Select(_ => random.NextDouble() < p ? 1.0 : 0.0).ToArray();
        var nonMembers = Enumerable.Range(0, 4000).Select(_ => random.NextDouble() < 1 - p ? 1.0 : 0.0).ToArray();
        var estimate = EmpiricalEpsilon.Estimate(members, nonMembers, 0, 0.95, new SeededRandomSource(8));
        Assert.InRange(estimate.LowerBound, 0.6, 1.0);
    }

    [Fact]
    public void Given_UninformativeScores_When_EmpiricalEpsilonIsComputed_Then_ItIsZero()
    {
        var random = new SeededRandomSource(3);
        var members = Enumerable.Range(0, 2000).Select(_ => random.NextDouble()).ToArray();
        var nonMembers = Enumerable.Range(0, 2000).Select(_ => random.NextDouble()).ToArray();
        Assert.InRange(EmpiricalEpsilon.Estimate(members, nonMembers, 1e-9, 0.95, new SeededRandomSource(4)).LowerBound, 0, 0.2);
    }
}
