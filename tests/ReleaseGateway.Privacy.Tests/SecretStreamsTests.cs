using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Privacy.Tests;

public class SecretStreamsTests
{
    private static readonly byte[] Key = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void Given_SameKeyAndPurpose_When_StreamRequestedTwice_Then_SameWords()
    {
        var streams = new SecretStreams(Key);
        var again = new SecretStreams((byte[])Key.Clone());

        var a = streams.Stream(RandomPurpose.Noise);
        var b = again.Stream(RandomPurpose.Noise);

        Assert.Equal(Enumerable.Range(0, 16).Select(_ => a.NextUInt64()).ToArray(), Enumerable.Range(0, 16).Select(_ => b.NextUInt64()).ToArray());
    }

    [Fact]
    public void Given_OneKey_When_StreamsOfAllPurposesDrawn_Then_TheyAllDiffer()
    {
        var streams = new SecretStreams(Key);
        var firstWords = Enum.GetValues<RandomPurpose>().Select(p => streams.Stream(p).NextUInt64()).ToList();

        Assert.Equal(firstWords.Count, firstWords.Distinct().Count());
        Assert.Equal(8, firstWords.Count); // noise, decoding, split, bounding, evaluation, gates, sample, binning
    }

    [Fact]
    public void Given_AttemptKey_When_CoinBuiltDirectlyOrFromStreams_Then_SameCoins()
    {
        var fromStreams = new SecretStreams(Key).Coin(RandomPurpose.Split);
        var direct = new KeyedCoin(Key, RandomPurpose.Split);
        var otherPurpose = new KeyedCoin(Key, RandomPurpose.Bounding);

        for (long unit = 0; unit < 50; unit++)
        {
            Assert.Equal(fromStreams.Uniform(unit), direct.Uniform(unit));
            Assert.NotEqual(fromStreams.Uniform(unit), otherPurpose.Uniform(unit));
        }
    }

    [Fact]
    public void Given_KeyedCoin_When_ManyUnitsDrawn_Then_MeanAndTailAreUniformWithinFiveStandardErrors()
    {
        const int n = 40_000;
        var coin = new KeyedCoin(Key, RandomPurpose.Split);
        double sum = 0;
        int below = 0;
        for (long unit = 0; unit < n; unit++)
        {
            double u = coin.Uniform(unit);
            Assert.InRange(u, 0, Math.BitDecrement(1.0));
            sum += u;
            below += u < 0.2 ? 1 : 0;
        }

        // U(0,1): mean 1/2, sd sqrt(1/12); the count below 0.2 is Binomial(n, 0.2).
        Assert.InRange(sum / n, 0.5 - 5 * Math.Sqrt(1.0 / 12 / n), 0.5 + 5 * Math.Sqrt(1.0 / 12 / n));
        Assert.InRange(below, n * 0.2 - 5 * Math.Sqrt(n * 0.2 * 0.8), n * 0.2 + 5 * Math.Sqrt(n * 0.2 * 0.8));
    }

    [Fact]
    public void Given_ByteValueOrLong_When_Coined_Then_LongIsEightBytesBigEndian()
    {
        var coin = new KeyedCoin(Key, RandomPurpose.Split);

        Assert.Equal(coin.Uniform(0x0102030405060708L), coin.Uniform([1, 2, 3, 4, 5, 6, 7, 8]));
    }

    [Fact]
    public void Given_PublicSeed_When_CoinBuilt_Then_ReproducibleAndSeedDependent()
    {
        Assert.Equal(KeyedCoin.FromPublicSeed(7, RandomPurpose.Split).Uniform(3), KeyedCoin.FromPublicSeed(7, RandomPurpose.Split).Uniform(3));
        Assert.NotEqual(KeyedCoin.FromPublicSeed(7, RandomPurpose.Split).Uniform(3), KeyedCoin.FromPublicSeed(8, RandomPurpose.Split).Uniform(3));
    }

    [Fact]
    public void Given_ShortKey_When_StreamsBuilt_Then_Refused()
    {
        Assert.Throws<ArgumentException>(() => new SecretStreams(new byte[31]));
        Assert.Throws<ArgumentException>(() => new KeyedCoin(new byte[16], RandomPurpose.Noise));
        Assert.Equal(32, SecretStreams.NewKey().Length);
        Assert.NotEqual(SecretStreams.NewKey(), SecretStreams.NewKey());
    }
}
