using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Releases.Checks;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Synthesis.Data;

namespace ReleaseGateway.Releases.Tests.Privacy;

public sealed class CopyTestTests
{
    private static EncodedTable Table(params int[][] rows) =>
        new(["a", "b"], [10, 10], [rows.Select(r => r[0]).ToArray(), rows.Select(r => r[1]).ToArray()]);

    private static int[][] Rows(int n, int offset) => Enumerable.Range(0, n).Select(i => new[] { (i + offset) % 10, (i / 10 + offset) % 10 }).ToArray();

    [Fact]
    public void Given_the_default_holdout_fraction_When_weighted_Then_the_statistic_is_train_copies_minus_four_holdout_copies_with_sensitivity_four_k()
    {
        Assert.Equal((1L, 4L), CopyTest.Weights(0.2));
        Assert.Equal(4, CopyTest.Sensitivity(0.2, 1));
        Assert.Equal(12, CopyTest.Sensitivity(0.2, 3));
        Assert.Equal((3L, 7L), CopyTest.Weights(0.3));
    }

    [Fact]
    public void Given_a_table_and_its_neighbour_When_the_statistic_is_computed_Then_it_moves_by_at_most_the_sensitivity()
    {
        var synthetic = Table(Rows(60, 0));
        var train = Rows(80, 0);
        var holdout = Rows(20, 30);
        var baseStat = CopyTest.Run(Table(train), Table(holdout), synthetic, 0.2, 1, 1, long.MaxValue / 4, new CryptoRandomSource()).Statistic;
        // The added unit lands on either side; with k rows it moves the statistic by at most k·max(a, b).
        foreach (var k in new[] { 1, 3 })
        {
            var person = Enumerable.Repeat(new[] { 5, 0 }, k).ToArray(); // a profile the synthetic table contains
            var inTrain = CopyTest.Run(Table([.. train, .. person]), Table(holdout), synthetic, 0.2, k, 1, long.MaxValue / 4, new CryptoRandomSource());
            var inHoldout = CopyTest.Run(Table(train), Table([.. holdout, .. person]), synthetic, 0.2, k, 1, long.MaxValue / 4, new CryptoRandomSource());
            Assert.InRange(Math.Abs(inTrain.Statistic - baseStat), 1, inTrain.Sensitivity);
            Assert.Equal(inHoldout.Sensitivity, Math.Abs(inHoldout.Statistic - baseStat));
        }
    }

    [Fact]
    public void Given_a_generator_that_copies_its_training_rows_When_tested_Then_the_release_is_blocked_and_an_honest_one_passes()
    {
        // 10,000 distinct training rows over a public domain of 100 × 100 × 10 codes; the holdout is disjoint.
        static EncodedTable Big(IEnumerable<int> ids) => new(["x", "y", "z"], [100, 100, 10],
            [ids.Select(i => i % 100).ToArray(), ids.Select(i => i / 100 % 100).ToArray(), ids.Select(i => i / 10000).ToArray()]);
        var train = Big(Enumerable.Range(0, 10000));
        var holdout = Big(Enumerable.Range(10000, 2500));
        var memorised = Big(Enumerable.Range(0, 10000));
        var honest = Big(Enumerable.Range(20000, 10000));
        int blocked = 0, passedHonest = 0;
        for (var run = 0; run < 20; run++)
        {
            if (!CopyTest.Run(train, holdout, memorised, 0.2, 1, 0.05, null, new CryptoRandomSource()).Passed) blocked++;
            if (CopyTest.Run(train, holdout, honest, 0.2, 1, 0.05, null, new CryptoRandomSource()).Passed) passedHonest++;
        }
        // Statistic 10,000 against T ≈ 2,361 with noise of scale 320: blocked nearly always; the honest table (statistic 0) rarely.
        Assert.True(blocked >= 18, $"blocked {blocked} of 20");
        Assert.True(passedHonest >= 16, $"passed {passedHonest} of 20");
        Assert.Equal(2361, CopyTest.DefaultThreshold(4, 0.05));
    }
}
