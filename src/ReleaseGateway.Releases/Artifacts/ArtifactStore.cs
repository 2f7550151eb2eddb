using System.Security.Cryptography;

namespace ReleaseGateway.Releases.Artifacts;

/// <summary>
/// Content-addressed files under <c>DATA/artifacts/sha256/ab/abcdef…</c>: a file's name is its SHA-256, so a stored
/// artifact cannot change without its recorded hash no longer matching, and equal content is stored once.
/// Writes go to a temporary file renamed into place, so a crash never leaves a partial artifact under a hash.
/// </summary>
public sealed class ArtifactStore(string dataDirectory)
{
    private readonly string _root = Path.Combine(dataDirectory, "artifacts", "sha256");

    public async Task<(string Sha256, long Bytes)> PutAsync(Func<Stream, Task> write, CancellationToken ct)
    {
        Directory.CreateDirectory(_root);
        var temp = Path.Combine(_root, $".tmp-{Guid.NewGuid():N}");
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
                await write(file);
            string hash;
            long bytes;
            await using (var file = File.OpenRead(temp))
            {
                bytes = file.Length;
                hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct));
            }
            var path = PathOf(hash);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (File.Exists(path)) File.Delete(temp);
            else File.Move(temp, path);
            return (hash, bytes);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public Task<(string Sha256, long Bytes)> PutAsync(byte[] content, CancellationToken ct) =>
        PutAsync(s => s.WriteAsync(content, ct).AsTask(), ct);

    /// <summary>Opens an artifact after checking the file still hashes to its name (a tampered file is never served).</summary>
    public async Task<Stream> OpenVerifiedAsync(string sha256, CancellationToken ct)
    {
        var path = PathOf(sha256);
        await using (var check = File.OpenRead(path))
        {
            if (Convert.ToHexStringLower(await SHA256.HashDataAsync(check, ct)) != sha256)
                throw new InvalidDataException($"Artifact {sha256} no longer matches its hash; it was altered on disk.");
        }
        return File.OpenRead(path);
    }

    public string PathOf(string sha256)
    {
        if (sha256.Length != 64 || !sha256.All(Uri.IsHexDigit)) throw new ArgumentException("not a SHA-256 hex digest", nameof(sha256));
        return Path.Combine(_root, sha256[..2], sha256);
    }
}
