using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Privacy.Sampling;

namespace ReleaseGateway.Privacy.Tests;

// Binomial tolerances: 5 standard errors, so a correct implementation fails with probability below about 1e-6.
public class SamplingTests
{
    private static KeyedCoin Coin(int i, RandomPurpose purpose) =>
        new(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i)), purpose);

    [Fact]
    public void Given_PersonIds_When_Split_Then_EveryPersonIsWhollyOnOneSide()
    {
        // 300 persons with 1..7 rows each, rows of a person interleaved with others'.
        int[] personIds = [.. Enumerable.Range(0, 300).SelectMany(p => Enumerable.Repeat(p, 1 + p % 7)).OrderBy(p => (p * 7919) % 300)];
        var split = PoissonSplit.Split(personIds.Length, 0.3, Coin(1, RandomPurpose.Split), personIds);

        var trainPersons = split.Train.Select(r => personIds[r]).ToHashSet();
        var holdoutPersons = split.Holdout.Select(r => personIds[r]).ToHashSet();
        Assert.Empty(trainPersons.Intersect(holdoutPersons));
        Assert.Equal(personIds.Length, split.Train.Length + split.Holdout.Length);
        Assert.Equal(Enumerable.Range(0, personIds.Length), split.Train.Concat(split.Holdout).Order());
    }

    [Fact]
    public void Given_Rows_When_Split_Then_HoldoutSizeIsBinomialWithinFiveStandardErrors()
    {
        const int n = 20_000;
        const double f = 0.25;
        var split = PoissonSplit.Split(n, f, Coin(2, RandomPurpose.Split));

        double sd = Math.Sqrt(n * f * (1 - f));
        Assert.InRange(split.Holdout.Length, n * f - 5 * sd, n * f + 5 * sd);
        Assert.True(split.Train.SequenceEqual(split.Train.Order()));
    }

    [Fact]
    public void Given_SameKey_When_SplitTwice_Then_SameSplit()
    {
        var a = PoissonSplit.Split(1000, 0.2, Coin(3, RandomPurpose.Split));
        var b = PoissonSplit.Split(1000, 0.2, Coin(3, RandomPurpose.Split));
        var c = PoissonSplit.Split(1000, 0.2, Coin(4, RandomPurpose.Split));

        Assert.Equal(a.Holdout, b.Holdout);
        Assert.NotEqual(a.Holdout, c.Holdout);
    }

    [Fact]
    public void Bug_AddingOneRowMovedOtherRowsBetweenTrainAndHoldout()
    {
        // Issue 14: a seeded shuffle moved ~8 % of rows when one row was added. Poisson coins move none.
        var coin = Coin(5, RandomPurpose.Split);
        var before = PoissonSplit.Split(1000, 0.2, coin);
        var after = PoissonSplit.Split(1001, 0.2, coin);

        Assert.Equal(before.Holdout, after.Holdout.Where(r => r < 1000));
        Assert.Equal(before.Train, after.Train.Where(r => r < 1000));
    }

    [Fact]
    public void Given_ZeroFraction_When_Split_Then_AllRowsTrain()
    {
        var split = PoissonSplit.Split(50, 0, Coin(6, RandomPurpose.Split));

        Assert.Equal(50, split.Train.Length);
        Assert.Empty(split.Holdout);
        Assert.Throws<ArgumentOutOfRangeException>(() => PoissonSplit.Split(50, 1, Coin(6, RandomPurpose.Split)));
    }

    [Fact]
    public void Given_PersonsWithManyRows_When_BoundedToK_Then_AtMostKRowsEachAndSmallPersonsKeepAll()
    {
        int[] personIds = [.. Enumerable.Range(0, 100).SelectMany(p => Enumerable.Repeat(p, 1 + p % 9)).OrderBy(p => (p * 31) % 17)];
        int[] kept = ContributionBounding.Bound(personIds, 3, Coin(7, RandomPurpose.Bounding));

        var perPerson = kept.GroupBy(r => personIds[r]).ToDictionary(g => g.Key, g => g.Count());
        for (int p = 0; p < 100; p++)
        {
            Assert.Equal(Math.Min(3, 1 + p % 9), perPerson[p]);
        }

        Assert.True(kept.SequenceEqual(kept.Order().Distinct()));
    }

    [Fact]
    public void Given_PersonWithFourRows_When_BoundedToOneUnderManyKeys_Then_EachRowKeptAboutAQuarterOfTheTime()
    {
        const int trials = 8000;
        int[] personIds = [0, 1, 0, 0, 1, 0];
        var counts = new int[personIds.Length];
        for (int t = 0; t < trials; t++)
        {
            foreach (int row in ContributionBounding.Bound(personIds, 1, Coin(t, RandomPurpose.Bounding)))
            {
                counts[row]++;
            }
        }

        double sd = Math.Sqrt(trials * 0.25 * 0.75);
        foreach (int row in new[] { 0, 2, 3, 5 })
        {
            Assert.InRange(counts[row], trials * 0.25 - 5 * sd, trials * 0.25 + 5 * sd);
        }

        double sdHalf = Math.Sqrt(trials * 0.25);
        Assert.InRange(counts[1], trials * 0.5 - 5 * sdHalf, trials * 0.5 + 5 * sdHalf);
        Assert.Equal(trials, counts[1] + counts[4]);
    }
}
