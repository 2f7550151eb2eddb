namespace ReleaseGateway.Privacy.Randomness;

/// <summary>
/// A source of uniformly random 64-bit words. Mechanisms take one as a parameter. In production the release
/// pipeline uses a keyed DRBG: an AES-256 <see cref="CtrDrbg"/> (NIST SP 800-90A) per purpose, derived from the
/// attempt's secret 256-bit key by <see cref="SecretStreams"/>; <see cref="CryptoRandomSource"/> (the operating
/// system's CSPRNG) serves where nothing needs to be reproducible. <see cref="SeededRandomSource"/> (xoshiro256**) is
/// for tests and for research runs with a public seed only: its output is predictable from 64 bits and invertible, so
/// anything made with it carries no privacy guarantee. Implementations need not be thread-safe.
/// </summary>
public interface IRandomSource
{
    /// <summary>Next uniformly distributed 64-bit word.</summary>
    ulong NextUInt64();
}

/// <summary>Exact derived draws on an <see cref="IRandomSource"/>.</summary>
public static class RandomSourceExtensions
{
    /// <summary>Uniform integer in [0, <paramref name="n"/>) by rejection sampling (exact, no modulo bias).</summary>
    public static ulong NextBelow(this IRandomSource random, ulong n)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfZero(n);
        if ((n & (n - 1)) == 0)
        {
            return random.NextUInt64() & (n - 1);
        }

        ulong mask = ulong.MaxValue >> System.Numerics.BitOperations.LeadingZeroCount(n - 1);
        while (true)
        {
            ulong x = random.NextUInt64() & mask;
            if (x < n)
            {
                return x;
            }
        }
    }

    /// <summary>Uniform integer in [0, <paramref name="n"/>) for 128-bit bounds, by rejection sampling (exact).</summary>
    public static UInt128 NextBelow(this IRandomSource random, UInt128 n)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (n == UInt128.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(n), "n must be positive");
        }

        if (n <= ulong.MaxValue)
        {
            return random.NextBelow((ulong)n);
        }

        int bits = 128 - (int)UInt128.LeadingZeroCount(n - 1);
        UInt128 mask = bits == 128 ? UInt128.MaxValue : (UInt128.One << bits) - 1;
        while (true)
        {
            UInt128 x = new UInt128(random.NextUInt64(), random.NextUInt64()) & mask;
            if (x < n)
            {
                return x;
            }
        }
    }

    /// <summary>Uniform integer in [0, <paramref name="n"/>).</summary>
    public static int NextInt(this IRandomSource random, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        return (int)random.NextBelow((ulong)n);
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public static double NextDouble(this IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return (random.NextUInt64() >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>Uniform double in (0, 1): never 0, so logarithms are finite.</summary>
    public static double NextOpenDouble(this IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return ((random.NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public static void Shuffle<T>(this IRandomSource random, Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
