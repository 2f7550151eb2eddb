using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ReleaseGateway.Requests.Datasets.UploadSourceTable;

/// <summary>
/// The key source tables are encrypted with: 32 bytes from configuration
/// (<c>ReleaseGateway:SourceEncryptionKey</c>, base64) or, without it, a key file generated on first use
/// under the data folder (<c>keys/source-encryption.key</c>, owner-only permissions). Never in code. On shared storage
/// (<c>ReleaseGateway:Storage=Postgres</c>, ADR 0041) it must come from configuration, the same on every node: it is the
/// storage key that also seals the gateway's keys.
/// </summary>
public sealed class SourceEncryptionKey
{
    private readonly byte[] _key;

    private SourceEncryptionKey(byte[] key) => _key = key;

    public static SourceEncryptionKey FromConfiguration(string? base64, string dataDirectory)
    {
        if (!string.IsNullOrWhiteSpace(base64))
        {
            byte[] key;
            try
            {
                key = Convert.FromBase64String(base64);
            }
            catch (FormatException)
            {
                throw new InvalidOperationException("ReleaseGateway:SourceEncryptionKey is not valid base64.");
            }
            if (key.Length != 32) throw new InvalidOperationException("ReleaseGateway:SourceEncryptionKey must be 32 bytes (base64 of 32 random bytes).");
            return new SourceEncryptionKey(key);
        }
        var path = Path.Combine(dataDirectory, "keys", "source-encryption.key");
        if (File.Exists(path)) return new SourceEncryptionKey(Convert.FromBase64String(File.ReadAllText(path).Trim()));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var fresh = RandomNumberGenerator.GetBytes(32);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using var writer = new StreamWriter(path, options);
            writer.Write(Convert.ToBase64String(fresh));
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first; use theirs.
            return new SourceEncryptionKey(Convert.FromBase64String(File.ReadAllText(path).Trim()));
        }
        return new SourceEncryptionKey(fresh);
    }

    /// <summary>A key for one file, derived with HKDF from the master key and the file's random salt, so chunk counters can be nonces.</summary>
    internal byte[] DeriveFileKey(ReadOnlySpan<byte> salt) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, 32, salt.ToArray(), "releasegateway source table v1"u8.ToArray());

    /// <summary>
    /// Seals a small secret (an attempt key) in the source tables' format (<see cref="SourceCipher"/>: AES-256-GCM under a
    /// per-blob key from a random salt), one final chunk.
    /// </summary>
    public byte[] Seal(ReadOnlySpan<byte> secret)
    {
        var salt = RandomNumberGenerator.GetBytes(32);
        using var aes = new AesGcm(DeriveFileKey(salt), 16);
        return [.. SourceCipher.MagicBytes, .. salt, .. SourceCipher.Seal(aes, 0, final: true, secret)];
    }

    /// <summary>Reads back what <see cref="Seal"/> wrote; fails if it was altered.</summary>
    public byte[] Open(Stream sealedBytes)
    {
        using var plain = new SourceDecryptingStream(sealedBytes, this);
        using var buffer = new MemoryStream();
        plain.CopyTo(buffer);
        return buffer.ToArray();
    }
}

/// <summary>
/// Chunked AES-256-GCM file format for source tables: magic <c>RGWSRC01</c>, a 32-byte salt, then chunks of
/// [4-byte plaintext length][ciphertext][16-byte tag]. The nonce is the chunk index; the associated data is the
/// index and a final-chunk flag, so reordering, dropping or truncating chunks fails authentication.
/// </summary>
internal static class SourceCipher
{
    public const int ChunkSize = 64 * 1024;
    private static readonly byte[] Magic = "RGWSRC01"u8.ToArray();

    public static ReadOnlySpan<byte> MagicBytes => Magic;

    public static async Task<AesGcm> WriteHeaderAsync(Stream output, SourceEncryptionKey key, CancellationToken ct)
    {
        var salt = RandomNumberGenerator.GetBytes(32);
        await output.WriteAsync(Magic, ct);
        await output.WriteAsync(salt, ct);
        return new AesGcm(key.DeriveFileKey(salt), 16);
    }

    public static AesGcm ReadHeader(Stream input, SourceEncryptionKey key)
    {
        Span<byte> header = stackalloc byte[40];
        input.ReadExactly(header);
        if (!header[..8].SequenceEqual(Magic)) throw new InvalidDataException("Not an encrypted source table.");
        return new AesGcm(key.DeriveFileKey(header[8..]), 16);
    }

    public static byte[] Seal(AesGcm aes, long index, bool final, ReadOnlySpan<byte> plain)
    {
        var output = new byte[4 + plain.Length + 16];
        BinaryPrimitives.WriteInt32BigEndian(output, plain.Length);
        aes.Encrypt(Nonce(index), plain, output.AsSpan(4, plain.Length), output.AsSpan(4 + plain.Length, 16), Aad(index, final));
        return output;
    }

    public static byte[] Nonce(long index)
    {
        var nonce = new byte[12];
        BinaryPrimitives.WriteInt64BigEndian(nonce.AsSpan(4), index);
        return nonce;
    }

    public static byte[] Aad(long index, bool final)
    {
        var aad = new byte[9];
        BinaryPrimitives.WriteInt64BigEndian(aad, index);
        aad[8] = final ? (byte)1 : (byte)0;
        return aad;
    }
}

/// <summary>Reads back a file written by <see cref="SourceTableStore"/>; for the release pipeline, never for an HTTP response.</summary>
internal sealed class SourceDecryptingStream : Stream
{
    private readonly Stream _inner;
    private readonly AesGcm _aes;
    private byte[] _buffer = [];
    private int _offset;
    private long _index;
    private bool _done;

    public SourceDecryptingStream(Stream inner, SourceEncryptionKey key)
    {
        _inner = inner;
        _aes = SourceCipher.ReadHeader(inner, key);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> destination)
    {
        while (_offset == _buffer.Length)
        {
            if (_done) return 0;
            NextChunk();
        }
        var n = Math.Min(destination.Length, _buffer.Length - _offset);
        _buffer.AsSpan(_offset, n).CopyTo(destination);
        _offset += n;
        return n;
    }

    private void NextChunk()
    {
        Span<byte> lengthBytes = stackalloc byte[4];
        _inner.ReadExactly(lengthBytes);
        var length = BinaryPrimitives.ReadInt32BigEndian(lengthBytes);
        if (length is < 0 or > SourceCipher.ChunkSize) throw new InvalidDataException("Corrupt encrypted source table.");
        var cipher = new byte[length];
        var tag = new byte[16];
        _inner.ReadExactly(cipher);
        _inner.ReadExactly(tag);
        var plain = new byte[length];
        // The writer seals full chunks as non-final and the last (always shorter) chunk as final, so the
        // flag follows from the length; a file cut at a chunk boundary ends without a final chunk and fails.
        var final = length < SourceCipher.ChunkSize;
        _aes.Decrypt(SourceCipher.Nonce(_index), cipher, tag, plain, SourceCipher.Aad(_index, final));
        _index++;
        _done = final;
        _buffer = plain;
        _offset = 0;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _aes.Dispose();
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
