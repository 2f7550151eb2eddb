using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace ReleaseGateway.Privacy.Randomness;

/// <summary>What a stream of an attempt's secret key is used for. Each purpose gets an independent stream.</summary>
public enum RandomPurpose
{
    /// <summary>The synthesizer's measurement and selection noise.</summary>
    Noise,

    /// <summary>Decoding coded values to released values (sampling within bins); its outputs are published.</summary>
    Decoding,

    /// <summary>The secret Poisson train/holdout split.</summary>
    Split,

    /// <summary>Choosing which rows of a person are kept when contributions are bounded.</summary>
    Bounding,

    /// <summary>The committee's evaluation (attacks, shadow models); never reaches the requester.</summary>
    Evaluation,

    /// <summary>The DP release checks (noisy threshold tests).</summary>
    Gates,

    /// <summary>
    /// The evaluation sample of an engine-backed source (persons or rows drawn into the committee's attack sample);
    /// never reaches the requester.
    /// </summary>
    Sample,

    /// <summary>The DP quantiles that place the bin edges of bounds-only numeric columns (ADR 0036); the edges are published.</summary>
    Binning,
}

/// <summary>
/// Independent random streams derived from one 256-bit secret key per release attempt. For every
/// <see cref="RandomPurpose"/> the key is expanded with HKDF-SHA256 (RFC 5869; NIST SP 800-56C Rev. 2) under a
/// distinct label, and the result instantiates an AES-256 <see cref="CtrDrbg"/> (NIST SP 800-90A Rev. 1).
/// </summary>
/// <remarks>
/// HKDF-Expand is a PRF of its key, so the streams of different purposes are computationally independent: the
/// published outputs of <see cref="RandomPurpose.Decoding"/> tell nothing about the noise, and the split can be
/// recomputed from the stored key (after a crash) without touching the noise stream. The same key and purpose
/// always give the same stream, which is what makes generation resumable and reproducible inside the gateway.
/// </remarks>
public sealed class SecretStreams
{
    /// <summary>Length in bytes of an attempt key (256 bits).</summary>
    public const int KeyLength = 32;

    private static readonly byte[] ExtractSalt = "ReleaseGateway attempt key v1"u8.ToArray();

    private readonly byte[] pseudoRandomKey;

    /// <summary>Derives the streams of <paramref name="attemptKey"/> (copied; the caller may zero its buffer).</summary>
    /// <param name="attemptKey">Exactly 32 secret bytes, e.g. from <see cref="NewKey"/>.</param>
    public SecretStreams(ReadOnlySpan<byte> attemptKey)
    {
        CheckKey(attemptKey);
        pseudoRandomKey = HKDF.Extract(HashAlgorithmName.SHA256, attemptKey.ToArray(), ExtractSalt);
    }

    /// <summary>A fresh 256-bit key from the operating system's CSPRNG (<see cref="RandomNumberGenerator"/>).</summary>
    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(KeyLength);

    /// <summary>The stream for <paramref name="purpose"/>: a new <see cref="CtrDrbg"/> at its start on every call.</summary>
    public CtrDrbg Stream(RandomPurpose purpose)
    {
        Span<byte> entropyInput = stackalloc byte[CtrDrbg.SeedLength];
        HKDF.Expand(HashAlgorithmName.SHA256, pseudoRandomKey, entropyInput, Label("stream", purpose));
        var drbg = new CtrDrbg(entropyInput);
        CryptographicOperations.ZeroMemory(entropyInput);
        return drbg;
    }

    /// <summary>The keyed coin for <paramref name="purpose"/> (per-unit coins, see <see cref="KeyedCoin"/>).</summary>
    public KeyedCoin Coin(RandomPurpose purpose) => new(DeriveCoinKey(pseudoRandomKey, purpose));

    internal static byte[] DeriveCoinKey(byte[] pseudoRandomKey, RandomPurpose purpose) =>
        HKDF.Expand(HashAlgorithmName.SHA256, pseudoRandomKey, KeyedCoin.KeyLength, Label("coin", purpose));

    internal static byte[] ExtractFrom(ReadOnlySpan<byte> attemptKey)
    {
        CheckKey(attemptKey);
        return HKDF.Extract(HashAlgorithmName.SHA256, attemptKey.ToArray(), ExtractSalt);
    }

    private static byte[] Label(string kind, RandomPurpose purpose) => Encoding.ASCII.GetBytes($"ReleaseGateway {kind} {purpose}");

    private static void CheckKey(ReadOnlySpan<byte> attemptKey)
    {
        if (attemptKey.Length != KeyLength)
        {
            throw new ArgumentException($"an attempt key must be exactly {KeyLength} bytes (256 bits)", nameof(attemptKey));
        }
    }
}

/// <summary>
/// A keyed pseudo-random function turned into per-unit coins: <c>Uniform(value)</c> is the first 53 bits of
/// HMAC-SHA256(coinKey, value) as a double in [0, 1). A unit's coin depends only on the key and that unit's own
/// value, never on the other rows or their order, so neighbouring tables give every shared unit the same coin; and
/// the coin can be computed inside a SQL engine (e.g. PostgreSQL's pgcrypto <c>hmac(value, key, 'sha256')</c>).
/// </summary>
/// <remarks>
/// HMAC-SHA256 is a PRF (Bellare 2006), so to anyone without the key the coins of distinct values are indistinguishable
/// from independent uniforms; Bernoulli(p) as <c>Uniform(value) &lt; p</c> errs from p by less than 2^-53.
/// </remarks>
public sealed class KeyedCoin
{
    /// <summary>Length in bytes of a coin key.</summary>
    public const int KeyLength = 32;

    private readonly byte[] coinKey;

    /// <summary>The coin of <paramref name="purpose"/> under an attempt key; equals <c>new SecretStreams(attemptKey).Coin(purpose)</c>.</summary>
    public KeyedCoin(ReadOnlySpan<byte> attemptKey, RandomPurpose purpose)
        : this(SecretStreams.DeriveCoinKey(SecretStreams.ExtractFrom(attemptKey), purpose))
    {
    }

    internal KeyedCoin(byte[] coinKey) => this.coinKey = coinKey;

    /// <summary>
    /// A coin from a public 64-bit seed, for reproducible research runs on non-sensitive data only: anyone who
    /// knows the seed knows every coin, which voids the privacy guarantee of whatever uses them.
    /// </summary>
    public static KeyedCoin FromPublicSeed(long seed, RandomPurpose purpose)
    {
        Span<byte> key = stackalloc byte[SecretStreams.KeyLength];
        SHA256.HashData(Encoding.ASCII.GetBytes($"ReleaseGateway public seed {seed}"), key);
        return new KeyedCoin(key, purpose);
    }

    /// <summary>Uniform double in [0, 1) determined by the key and <paramref name="value"/> alone.</summary>
    public double Uniform(ReadOnlySpan<byte> value) => (Prefix(value) >> 11) * (1.0 / (1UL << 53));

    /// <summary>
    /// The first 64 bits (big-endian) of HMAC-SHA256(coin key, <paramref name="value"/>): <see cref="Uniform(ReadOnlySpan{byte})"/>
    /// is its top 53 bits over 2^53, so <c>Prefix(v) &lt; Threshold(p)</c> exactly when <c>Uniform(v) &lt; p</c>, and ordering by
    /// the prefix orders by the coin. For engines that evaluate the coin through a function of the gateway's (DuckDB in process).
    /// </summary>
    public ulong Prefix(ReadOnlySpan<byte> value)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(coinKey, value, mac);
        return BinaryPrimitives.ReadUInt64BigEndian(mac);
    }

    /// <summary>
    /// The HMAC-SHA256 key pads K ⊕ ipad and K ⊕ opad (64 bytes each, RFC 2104 §2), so a SQL engine that has only a
    /// plain SHA-256 computes the same coin as <c>SHA256(outer ‖ SHA256(inner ‖ value))</c>. They are as secret as the
    /// key itself: pass them only as bound parameters of a query, never into its text or a log.
    /// </summary>
    public (byte[] Inner, byte[] Outer) HmacPads()
    {
        const int block = 64;
        var inner = new byte[block];
        var outer = new byte[block];
        for (int i = 0; i < block; i++)
        {
            byte k = i < coinKey.Length ? coinKey[i] : (byte)0;
            inner[i] = (byte)(k ^ 0x36);
            outer[i] = (byte)(k ^ 0x5c);
        }

        return (inner, outer);
    }

    /// <summary>
    /// The 64-bit big-endian prefix T of the HMAC below which <c>Uniform(value) &lt; p</c>: the coin is the prefix's top 53
    /// bits over 2^53, so coin &lt; p exactly when prefix &lt; ⌈p·2^53⌉·2^11. Comparing the MAC's first 8 bytes (or 16 hex
    /// digits) with T in an engine is the same Bernoulli(p) draw as in memory.
    /// </summary>
    /// <param name="p">Probability in [0, 1).</param>
    public static ulong Threshold(double p)
    {
        if (!(p >= 0 && p < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "the probability must be in [0, 1)");
        }

        return (ulong)Math.Ceiling(p * (1UL << 53)) << 11;
    }

    /// <summary>The coin of an integer unit id, encoded as 8 bytes big-endian.</summary>
    public double Uniform(long value)
    {
        Span<byte> bytes = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return Uniform(bytes);
    }
}
