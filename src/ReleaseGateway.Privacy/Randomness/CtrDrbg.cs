using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ReleaseGateway.Privacy.Randomness;

/// <summary>
/// CTR_DRBG with AES-256 and no derivation function, as specified in NIST SP 800-90A Rev. 1 (2015), §10.2.1:
/// the production source of noise. Its output is computationally indistinguishable from uniform to anyone
/// without the 384-bit seed (security strength 256 bits), and, unlike xoshiro/SplitMix, an observer of its
/// output cannot run it backwards: every Generate call ends with the Update of §10.2.1.5.2 (backtracking
/// resistance).
/// </summary>
/// <remarks>
/// <para>Variant: no derivation function (§10.2.1.3.1), so the entropy input is exactly seedlen = 384 bits and the
/// personalization string (at most 384 bits) is XORed into it; ctr_len = blocklen = 128, so V is incremented modulo
/// 2^128. Prediction resistance and reseeding are not used: a stream lives for one release attempt and draws far
/// fewer than the 2^48 requests the standard allows between reseeds (checked). No additional input is used.</para>
/// <para>Known-answer tests: NIST CAVP <c>drbgvectors_no_reseed/CTR_DRBG.rsp</c>, section [AES-256 no df],
/// [PredictionResistance = False] (instantiate, generate 512 bits, generate 512 bits, compare the second).</para>
/// <para>As an <see cref="IRandomSource"/> it buffers one Generate call of 4 KiB (well below the 2^19-bit
/// maximum per request) and returns little-endian 64-bit words from it. Not thread-safe.</para>
/// </remarks>
public sealed class CtrDrbg : IRandomSource, IDisposable
{
    /// <summary>seedlen / 8: the length of the entropy input in bytes (keylen 256 + blocklen 128 bits).</summary>
    public const int SeedLength = KeyLength + BlockLength;

    /// <summary>Length in bytes of the key material <see cref="FromKey"/> takes (security strength 256 bits).</summary>
    public const int KeyLength = 32;

    /// <summary>Largest request of one Generate call: max_number_of_bits_per_request = 2^19 bits (Table 3).</summary>
    public const int MaxRequestBytes = 1 << 16;

    private const int BlockLength = 16;
    private const long ReseedInterval = 1L << 48;
    private const int BufferBytes = 4096;

    private static readonly byte[] KeyExpansionInfo = "ReleaseGateway CTR_DRBG entropy input v1"u8.ToArray();

    private readonly Aes aes = Aes.Create();
    private readonly byte[] key = new byte[KeyLength];
    private readonly byte[] v = new byte[BlockLength];
    private readonly byte[] buffer = new byte[BufferBytes];
    private int position = BufferBytes;
    private long reseedCounter;

    /// <summary>
    /// CTR_DRBG_Instantiate_algorithm without derivation function (SP 800-90A Rev. 1, §10.2.1.3.1):
    /// seed_material = entropy_input XOR personalization_string (padded with zeros to seedlen), Key = 0, V = 0,
    /// (Key, V) = Update(seed_material, Key, V).
    /// </summary>
    /// <param name="entropyInput">Exactly <see cref="SeedLength"/> (48) bytes of full-entropy input.</param>
    /// <param name="personalizationString">At most 48 bytes; empty for none.</param>
    public CtrDrbg(ReadOnlySpan<byte> entropyInput, ReadOnlySpan<byte> personalizationString = default)
    {
        if (entropyInput.Length != SeedLength)
        {
            throw new ArgumentException($"the entropy input must be exactly {SeedLength} bytes (seedlen, no derivation function)", nameof(entropyInput));
        }

        if (personalizationString.Length > SeedLength)
        {
            throw new ArgumentException($"the personalization string must be at most {SeedLength} bytes", nameof(personalizationString));
        }

        Span<byte> seedMaterial = stackalloc byte[SeedLength];
        entropyInput.CopyTo(seedMaterial);
        for (int i = 0; i < personalizationString.Length; i++)
        {
            seedMaterial[i] ^= personalizationString[i];
        }

        aes.Key = key;
        Update(seedMaterial);
        CryptographicOperations.ZeroMemory(seedMaterial);
        reseedCounter = 1;
    }

    /// <summary>
    /// Instantiates from 256-bit key material: the entropy input is HKDF-SHA256 (RFC 5869) of the key, expanded to
    /// seedlen. HKDF is a PRF, so the 384-bit entropy input is as unpredictable as the key (256 bits, the security
    /// strength of AES-256 CTR_DRBG).
    /// </summary>
    /// <param name="keyMaterial">Exactly <see cref="KeyLength"/> (32) secret bytes.</param>
    /// <param name="personalizationString">At most 48 bytes distinguishing streams of one key; empty for none.</param>
    public static CtrDrbg FromKey(ReadOnlySpan<byte> keyMaterial, ReadOnlySpan<byte> personalizationString = default)
    {
        if (keyMaterial.Length != KeyLength)
        {
            throw new ArgumentException($"the key material must be exactly {KeyLength} bytes", nameof(keyMaterial));
        }

        Span<byte> entropyInput = stackalloc byte[SeedLength];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, keyMaterial, entropyInput, salt: [], info: KeyExpansionInfo);
        var drbg = new CtrDrbg(entropyInput, personalizationString);
        CryptographicOperations.ZeroMemory(entropyInput);
        return drbg;
    }

    /// <summary>
    /// One CTR_DRBG_Generate_algorithm call without additional input (§10.2.1.5.1): fills <paramref name="output"/>
    /// with the leftmost bits of AES(Key, V+1) ‖ AES(Key, V+2) ‖ …, then updates (Key, V).
    /// </summary>
    /// <param name="output">At most <see cref="MaxRequestBytes"/> bytes.</param>
    public void Generate(Span<byte> output)
    {
        ObjectDisposedException.ThrowIf(reseedCounter == 0, this);
        if (output.Length > MaxRequestBytes)
        {
            throw new ArgumentException($"one request may return at most {MaxRequestBytes} bytes", nameof(output));
        }

        if (reseedCounter > ReseedInterval)
        {
            throw new InvalidOperationException("CTR_DRBG reseed interval reached; a stream must be re-instantiated from a new key");
        }

        int blocks = (output.Length + BlockLength - 1) / BlockLength;
        byte[] keystream = new byte[blocks * BlockLength];
        EncryptCounterBlocks(keystream);
        keystream.AsSpan(0, output.Length).CopyTo(output);
        CryptographicOperations.ZeroMemory(keystream);
        Update(stackalloc byte[SeedLength]);
        reseedCounter++;
    }

    /// <inheritdoc />
    public ulong NextUInt64()
    {
        if (position + sizeof(ulong) > buffer.Length)
        {
            Generate(buffer);
            position = 0;
        }

        ulong value = BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(position));
        position += sizeof(ulong);
        return value;
    }

    /// <summary>Zeroes the working state; the instance is unusable afterwards.</summary>
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(key);
        CryptographicOperations.ZeroMemory(v);
        CryptographicOperations.ZeroMemory(buffer);
        reseedCounter = 0;
        position = BufferBytes;
        aes.Dispose();
    }

    /// <summary>CTR_DRBG_Update (§10.2.1.2): temp = AES(Key, V+1) ‖ AES(Key, V+2) ‖ AES(Key, V+3), temp ^= provided_data, Key ‖ V = temp.</summary>
    private void Update(ReadOnlySpan<byte> providedData)
    {
        Span<byte> temp = stackalloc byte[SeedLength];
        EncryptCounterBlocks(temp);
        for (int i = 0; i < SeedLength; i++)
        {
            temp[i] ^= providedData[i];
        }

        temp[..KeyLength].CopyTo(key);
        temp[KeyLength..].CopyTo(v);
        CryptographicOperations.ZeroMemory(temp);
        aes.Key = key;
    }

    /// <summary>Writes AES(Key, V+1) ‖ … ‖ AES(Key, V+m) for m = destination.Length / 16 and leaves V = V+m.</summary>
    private void EncryptCounterBlocks(Span<byte> destination)
    {
        byte[] counterBlocks = new byte[destination.Length];
        for (int offset = 0; offset < counterBlocks.Length; offset += BlockLength)
        {
            Increment(v);
            v.CopyTo(counterBlocks, offset);
        }

        aes.EncryptEcb(counterBlocks, destination, PaddingMode.None);
    }

    /// <summary>V = (V + 1) mod 2^128, V big-endian (ctr_len = blocklen).</summary>
    private static void Increment(Span<byte> counter)
    {
        for (int i = counter.Length - 1; i >= 0; i--)
        {
            if (++counter[i] != 0)
            {
                return;
            }
        }
    }
}
