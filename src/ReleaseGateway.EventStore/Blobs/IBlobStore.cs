namespace ReleaseGateway.EventStore.Blobs;

/// <summary>
/// Named, immutable-once-published byte strings: what every gateway node must see the same (content-addressed
/// artifacts, encrypted source tables, attempt keys, key material, live progress). Names are relative paths of
/// letters, digits, <c>.</c>, <c>_</c> and <c>-</c> separated by <c>/</c>. The embedded default keeps them as files
/// under the data folder (<see cref="FolderBlobStore"/>, the paths the gateway always used); several nodes keep them
/// in PostgreSQL (<see cref="PostgresBlobStore"/>, ADR 0041).
/// </summary>
public interface IBlobStore
{
    /// <summary>
    /// Writes a new blob through <paramref name="write"/> under a private name near <paramref name="folder"/>; the caller
    /// reads it back, then publishes it under its final name or disposes it (which removes it). A crash leaves no blob
    /// under a final name.
    /// </summary>
    Task<StagedBlob> StageAsync(string folder, Func<Stream, Task> write, CancellationToken ct);

    /// <summary>Creates <paramref name="name"/> atomically unless it exists; false when another writer was first.</summary>
    bool TryCreate(string name, ReadOnlySpan<byte> content);

    /// <summary>Creates or replaces <paramref name="name"/> (small, mutable state such as live progress).</summary>
    void Put(string name, ReadOnlySpan<byte> content);

    /// <summary>The blob's bytes, or null when there is none.</summary>
    Stream? OpenRead(string name);

    bool Exists(string name);

    /// <summary>Names of the blobs directly in <paramref name="folder"/> ("" for the top), without their folder.</summary>
    IReadOnlyList<string> List(string folder);

    void Delete(string name);
}

/// <summary>A blob written but not yet published under its final name (<see cref="IBlobStore.StageAsync"/>).</summary>
public abstract class StagedBlob : IAsyncDisposable
{
    public abstract long Length { get; }

    public abstract Stream OpenRead();

    /// <summary>Publishes the blob as <paramref name="name"/>; false (and nothing changed) when that name already exists.</summary>
    public abstract Task<bool> PublishAsync(string name, CancellationToken ct);

    public abstract ValueTask DisposeAsync();
}

public static class BlobNames
{
    /// <summary>Checks a blob name: relative, no empty, <c>.</c> or <c>..</c> segment, only safe characters.</summary>
    public static string Check(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        foreach (var segment in name.Split('/'))
        {
            if (segment.Length == 0 || segment is "." or "..")
                throw new ArgumentException($"'{name}' is not a blob name.", nameof(name));
            foreach (var c in segment)
                if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
                    throw new ArgumentException($"'{name}' is not a blob name.", nameof(name));
        }
        return name;
    }

    public static string Join(string folder, string name) => folder.Length == 0 ? name : $"{folder.TrimEnd('/')}/{name}";

    public static byte[] ReadAll(this IBlobStore store, string name)
    {
        using var stream = store.OpenRead(name) ?? throw new FileNotFoundException($"No blob {name}.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
