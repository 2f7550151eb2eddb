namespace ReleaseGateway.EventStore.Blobs;

/// <summary>
/// Blobs as files under one folder (the data folder: a blob named <c>artifacts/sha256/ab/abc…</c> is that file), each
/// created owner-only and moved into place only when complete, so a crash never leaves a partial file under a name.
/// </summary>
public sealed class FolderBlobStore(string root) : IBlobStore
{
    private const string Staging = ".incoming";

    public string Root { get; } = root;

    /// <summary>The file behind a blob name (tests and tools that look at the disk).</summary>
    public string PathOf(string name) => Path.Combine(Root, BlobNames.Check(name));

    public async Task<StagedBlob> StageAsync(string folder, Func<Stream, Task> write, CancellationToken ct)
    {
        var directory = Path.Combine(Root, BlobNames.Check(folder), Staging);
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $"{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var file = new FileStream(temp, CreateOptions(FileMode.CreateNew, FileOptions.Asynchronous)))
                await write(file);
            return new Staged(this, temp, new FileInfo(temp).Length);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    public bool TryCreate(string name, ReadOnlySpan<byte> content)
    {
        var path = PathOf(name);
        var temp = WriteTemporary(path, content);
        try
        {
            File.Move(temp, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public void Put(string name, ReadOnlySpan<byte> content)
    {
        var path = PathOf(name);
        File.Move(WriteTemporary(path, content), path, overwrite: true);
    }

    public Stream? OpenRead(string name)
    {
        try
        {
            return File.OpenRead(PathOf(name));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public bool Exists(string name) => File.Exists(PathOf(name));

    public IReadOnlyList<string> List(string folder)
    {
        var directory = folder.Length == 0 ? Root : Path.Combine(Root, BlobNames.Check(folder));
        return Directory.Exists(directory)
            ? [.. Directory.EnumerateFiles(directory).Select(Path.GetFileName).OfType<string>().Where(n => !n.EndsWith(".tmp", StringComparison.Ordinal)).Order(StringComparer.Ordinal)]
            : [];
    }

    public void Delete(string name) => File.Delete(PathOf(name));

    private static string WriteTemporary(string path, ReadOnlySpan<byte> content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        using var file = new FileStream(temp, CreateOptions(FileMode.CreateNew, FileOptions.None));
        file.Write(content);
        return temp;
    }

    // Owner-only before any byte is written: key files, encrypted tables and artifacts alike.
    private static FileStreamOptions CreateOptions(FileMode mode, FileOptions options)
    {
        var o = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 81920, Options = options };
        if (!OperatingSystem.IsWindows()) o.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return o;
    }

    private sealed class Staged(FolderBlobStore store, string temp, long length) : StagedBlob
    {
        public override long Length => length;

        public override Stream OpenRead() => File.OpenRead(temp);

        public override Task<bool> PublishAsync(string name, CancellationToken ct)
        {
            var path = store.PathOf(name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            try
            {
                File.Move(temp, path, overwrite: false);
                return Task.FromResult(true);
            }
            catch (IOException) when (File.Exists(path))
            {
                return Task.FromResult(false);
            }
        }

        public override ValueTask DisposeAsync()
        {
            File.Delete(temp);
            return ValueTask.CompletedTask;
        }
    }
}
