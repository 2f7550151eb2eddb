using System.Security.Cryptography;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.EventStore.Blobs;

namespace ReleaseGateway.Requests.Datasets.UploadSourceTable;

public sealed record StoredSourceTable(long Rows, long Bytes, string Sha256);

/// <summary>The upload is larger than the configured limit; nothing was kept.</summary>
public sealed class UploadTooLargeException(long limit) : Exception($"Upload exceeds {limit} bytes.")
{
    public long Limit { get; } = limit;
}

/// <summary>
/// Encrypted storage of source tables as blobs <c>sources/{id}.csv.enc</c> (files under the data folder, or rows in
/// PostgreSQL on shared storage, ADR 0041). An upload is streamed straight into an encrypted staged blob (the
/// plaintext is never stored), validated against the schema by reading that blob back, and only then published; a
/// rejected or oversized upload leaves nothing. Tables are never served back over the API; the release pipeline
/// reads them with <see cref="OpenRead"/>.
/// </summary>
public sealed class SourceTableStore(IBlobStore blobs, SourceEncryptionKey key, long maxUploadBytes)
{
    private const string Folder = "sources";

    /// <summary>Source tables as files under <paramref name="dataDirectory"/> (the embedded default).</summary>
    public SourceTableStore(string dataDirectory, SourceEncryptionKey key, long maxUploadBytes) : this(new FolderBlobStore(dataDirectory), key, maxUploadBytes)
    {
    }

    public long MaxUploadBytes { get; } = maxUploadBytes;

    /// <summary>The file of a source table when blobs are files (the embedded default).</summary>
    public string PathOf(Guid datasetId, int? version = null) => blobs is FolderBlobStore folder
        ? folder.PathOf(NameOf(datasetId, version))
        : throw new NotSupportedException("Source tables are not files on this storage.");

    public bool Exists(Guid datasetId, int? version = null) => blobs.Exists(NameOf(datasetId, version));

    /// <summary>
    /// Stores <paramref name="upload"/> or throws <see cref="CsvValidationException"/> / <see cref="UploadTooLargeException"/> /
    /// <see cref="RequestRefusedException"/> (fewer than <paramref name="minRows"/> records, the policy's <c>minSourceRows</c>), keeping nothing.
    /// </summary>
    /// <param name="version">The dataset's version this upload is (ADR 0057); null: the first.</param>
    public async Task<StoredSourceTable> StoreAsync(Guid datasetId, Stream upload, DatasetSchema schema, long minRows, CancellationToken ct, int? version = null)
    {
        long bytes = 0;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var staged = await blobs.StageAsync(Folder, async file =>
        {
            using var aes = await SourceCipher.WriteHeaderAsync(file, key, ct);
            var chunk = new byte[SourceCipher.ChunkSize];
            var filled = 0;
            long index = 0;
            while (true)
            {
                var read = await upload.ReadAsync(chunk.AsMemory(filled), ct);
                if (read == 0) break;
                bytes += read;
                if (bytes > MaxUploadBytes) throw new UploadTooLargeException(MaxUploadBytes);
                sha.AppendData(chunk, filled, read);
                filled += read;
                if (filled < chunk.Length) continue;
                await file.WriteAsync(SourceCipher.Seal(aes, index++, final: false, chunk), ct);
                filled = 0;
            }
            await file.WriteAsync(SourceCipher.Seal(aes, index, final: true, chunk.AsSpan(0, filled)), ct);
        }, ct);

        CsvValidationReport report;
        using (var plain = new SourceDecryptingStream(staged.OpenRead(), key))
            report = CsvTableReader.Validate(plain, schema);
        if (!report.IsValid) throw new CsvValidationException(report.Problems, report.Truncated);
        // The uploader is the steward who holds the table, so the refusal may name its size.
        if (report.RowCount < minRows) throw new RequestRefusedException(RequestErrors.SourceTooSmall(report.RowCount, minRows));

        if (!await staged.PublishAsync(NameOf(datasetId, version), ct))
            throw new IOException($"The source table of dataset {datasetId} is already stored.");
        return new StoredSourceTable(report.RowCount, bytes, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    /// <summary>Removes a later version whose upload was stored but never recorded (the first version is never deleted here).</summary>
    public void Delete(Guid datasetId, int version)
    {
        if (version > 1) blobs.Delete(NameOf(datasetId, version));
    }

    /// <summary>The decrypted source table, for the release pipeline's split and synthesis.</summary>
    public Stream OpenRead(Guid datasetId, int? version = null) => new SourceDecryptingStream(
        blobs.OpenRead(NameOf(datasetId, version)) ?? throw new FileNotFoundException($"Dataset {datasetId} has no stored source table (version {version ?? 1})."), key);

    // Each version is its own blob, kept: a release attempt reads the version it recorded, and earlier versions stay for the audit.
    private static string NameOf(Guid datasetId, int? version) => version is null or 1 ? $"{Folder}/{datasetId:N}.csv.enc" : $"{Folder}/{datasetId:N}.v{version}.csv.enc";
}
