namespace ReleaseGateway.Privacy.Randomness;

/// <summary>
/// Reproducible pseudo-random words: xoshiro256** (Blackman and Vigna 2018) seeded through
/// SplitMix64. For tests and for research runs with a public seed only, never for a release: its output is
/// predictable from the 64-bit seed (a 2^64 search at most) and the generator can be run backwards from its outputs,
/// so nothing made with it is private. Releases use <see cref="CtrDrbg"/> streams of a secret key (<see cref="SecretStreams"/>).
/// </summary>
public sealed class SeededRandomSource : IRandomSource
{
    private ulong s0, s1, s2, s3;

    /// <summary>Creates the generator from a 64-bit seed.</summary>
    public SeededRandomSource(long seed)
    {
        ulong x = unchecked((ulong)seed);
        s0 = SplitMix(ref x);
        s1 = SplitMix(ref x);
        s2 = SplitMix(ref x);
        s3 = SplitMix(ref x);
    }

    /// <inheritdoc />
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
