using System.Security.Cryptography;
using System.Text;
using ReleaseGateway.EventStore.Blobs;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Requests.Datasets.UploadSourceTable;

namespace ReleaseGateway.Releases.Pipeline;

/// <summary>
/// The secret of one release attempt: a 256-bit key from the OS's CSPRNG, from which every random stream of the attempt
/// is derived (<see cref="SecretStreams"/>: noise, decoding, split, bounding, evaluation, gates), and a 256-bit nonce that
/// blinds its commitment (ADR 0022).
/// </summary>
public sealed class AttemptSecret
{
    private const int Length = SecretStreams.KeyLength;

    internal AttemptSecret(byte[] key, byte[] nonce)
    {
        Key = key;
        Nonce = nonce;
        Streams = new SecretStreams(key);
    }

    /// <summary>The attempt key. Whoever knows it can subtract the noise: it never leaves the gateway's data folder.</summary>
    public byte[] Key { get; }

    /// <summary>The commitment's blinding nonce, stored with the key.</summary>
    public byte[] Nonce { get; }

    /// <summary>The attempt's independent random streams and keyed coins.</summary>
    public SecretStreams Streams { get; }

    /// <summary>
    /// The seed the committee's evaluation runs under (attacks, shadow models): derived from the attempt's
    /// <see cref="RandomPurpose.Evaluation"/> stream, secret, and the same on every resumed run.
    /// </summary>
    public int EvaluationSeed => (int)(Streams.Stream(RandomPurpose.Evaluation).NextUInt64() & int.MaxValue);

    /// <summary>
    /// The recorded commitment: HMAC-SHA256 with the secret nonce as HMAC key over "rgw-attempt-key:v1:{releaseId}" and
    /// the attempt key. Hiding: HMAC under a secret 256-bit key is a PRF, so the commitment tells nothing about the key
    /// (unlike an unblinded SHA-256 of a 63-bit seed, an offline oracle for a brute-force search). Binding: opening it
    /// to a different key and nonce means finding an HMAC-SHA256 collision. An investigator given the key file can
    /// check it and reproduce the run on the gateway.
    /// </summary>
    public string Commitment(Guid releaseId) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Nonce, (byte[])[.. Encoding.UTF8.GetBytes($"rgw-attempt-key:v1:{releaseId:D}"), .. Key]));

    internal static AttemptSecret New() => new(SecretStreams.NewKey(), RandomNumberGenerator.GetBytes(Length));

    internal byte[] ToBytes() => [.. Key, .. Nonce];

    internal static AttemptSecret FromBytes(byte[] bytes) => bytes.Length == 2 * Length
        ? new AttemptSecret(bytes[..Length], bytes[Length..])
        : throw new InvalidDataException("An attempt key file holds a 32-byte key and a 32-byte nonce.");
}

/// <summary>
/// Secrets of release attempts, kept as blobs <c>attempt-keys/{id}.key.enc</c> (owner-only files in the data folder, or
/// rows in PostgreSQL on shared storage): encrypted at rest exactly like source tables (<see cref="SourceEncryptionKey"/>,
/// AES-256-GCM), never in an event, a manifest or a log. Created once per attempt; every later call (a resumed
/// evaluation, on any node) reads the same secret.
/// </summary>
public sealed class SeedVault(IBlobStore blobs, SourceEncryptionKey encryption)
{
    private const string Folder = "attempt-keys";

    /// <summary>Attempt keys as files under <paramref name="dataDirectory"/> (the embedded default).</summary>
    public SeedVault(string dataDirectory, SourceEncryptionKey encryption) : this(new FolderBlobStore(dataDirectory), encryption)
    {
    }

    /// <summary>The file of an attempt's key when blobs are files (the embedded default).</summary>
    public string PathOf(Guid releaseId) => blobs is FolderBlobStore folder
        ? folder.PathOf(NameOf(releaseId))
        : throw new NotSupportedException("Attempt keys are not files on this storage.");

    /// <summary>The attempt's secret, created on first use; the same on every later call (also from a racing worker).</summary>
    public AttemptSecret GetOrCreate(Guid releaseId)
    {
        if (TryLoad(releaseId) is { } existing) return existing;
        var fresh = AttemptSecret.New();
        return blobs.TryCreate(NameOf(releaseId), encryption.Seal(fresh.ToBytes())) ? fresh : Load(releaseId);
    }

    /// <summary>The secret of an attempt that has started; throws when it is missing (never invents a new one).</summary>
    public AttemptSecret Load(Guid releaseId) =>
        TryLoad(releaseId) ?? throw new InvalidOperationException($"The secret key of release {releaseId} is missing from the gateway's storage.");

    private AttemptSecret? TryLoad(Guid releaseId)
    {
        using var stored = blobs.OpenRead(NameOf(releaseId));
        return stored is null ? null : AttemptSecret.FromBytes(encryption.Open(stored));
    }

    private static string NameOf(Guid releaseId) => $"{Folder}/{releaseId:N}.key.enc";
}
