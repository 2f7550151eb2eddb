using System.Security.Cryptography;
using ReleaseGateway.EventStore.Blobs;

namespace ReleaseGateway.Releases.Artifacts;

/// <summary>
/// Content-addressed blobs named <c>artifacts/sha256/ab/abcdef…</c> (files under the data folder, or rows in PostgreSQL
/// on shared storage, ADR 0041): a blob's name is its SHA-256, so a stored artifact cannot change without its
/// recorded hash no longer matching, and equal content is stored once. Writes are staged and published only when
/// complete, so a crash never leaves a partial artifact under a hash.
/// </summary>
public sealed class ArtifactStore(IBlobStore blobs)
{
    private const string Folder = "artifacts/sha256";

    /// <summary>Artifacts as files under <paramref name="dataDirectory"/> (the embedded default).</summary>
    public ArtifactStore(string dataDirectory) : this(new FolderBlobStore(dataDirectory))
    {
    }

    public async Task<(string Sha256, long Bytes)> PutAsync(Func<Stream, Task> write, CancellationToken ct)
    {
        await using var staged = await blobs.StageAsync(Folder, write, ct);
        string hash;
        await using (var content = staged.OpenRead())
            hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(content, ct));
        var bytes = staged.Length;
        // False: the same bytes are already stored under their hash, which is just as good.
        await staged.PublishAsync(NameOf(hash), ct);
        return (hash, bytes);
    }

    public Task<(string Sha256, long Bytes)> PutAsync(byte[] content, CancellationToken ct) =>
        PutAsync(s => s.WriteAsync(content, ct).AsTask(), ct);

    /// <summary>Opens an artifact after checking it still hashes to its name (a tampered artifact is never served).</summary>
    public async Task<Stream> OpenVerifiedAsync(string sha256, CancellationToken ct)
    {
        var name = NameOf(sha256);
        await using (var check = blobs.OpenRead(name) ?? throw new FileNotFoundException($"Artifact {sha256} is missing."))
        {
            if (Convert.ToHexStringLower(await SHA256.HashDataAsync(check, ct)) != sha256)
                throw new InvalidDataException($"Artifact {sha256} no longer matches its hash; it was altered in storage.");
        }
        return blobs.OpenRead(name) ?? throw new FileNotFoundException($"Artifact {sha256} is missing.");
    }

    /// <summary>The file of an artifact when artifacts are files (the embedded default); tests alter it there.</summary>
    public string PathOf(string sha256) => blobs is FolderBlobStore folder
        ? folder.PathOf(NameOf(sha256))
        : throw new NotSupportedException("Artifacts are not files on this storage.");

    private static string NameOf(string sha256)
    {
        if (sha256.Length != 64 || !sha256.All(Uri.IsHexDigit)) throw new ArgumentException("not a SHA-256 hex digest", nameof(sha256));
        return $"{Folder}/{sha256[..2]}/{sha256}";
    }
}
