using System.Security.Cryptography;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Datasets.Schema;

namespace ReleaseGateway.Requests.Datasets.UploadSourceTable;

public sealed record StoredSourceTable(long Rows, long Bytes, string Sha256);

/// <summary>The upload is larger than the configured limit; nothing was kept.</summary>
public sealed class UploadTooLargeException(long limit) : Exception($"Upload exceeds {limit} bytes.")
{
    public long Limit { get; } = limit;
}

/// <summary>
/// Encrypted storage of source tables under <c>DATA/sources/</c>. An upload is streamed straight into an
/// encrypted temporary file (the plaintext never touches the disk), validated against the schema by
/// reading that file back, and only then moved into place; a rejected or oversized upload leaves nothing.
/// Files are never served back over the API; the release pipeline reads them with <see cref="OpenRead"/>.
/// </summary>
public sealed class SourceTableStore(string dataDirectory, SourceEncryptionKey key, long maxUploadBytes)
{
    private string Folder => Path.Combine(dataDirectory, "sources");

    public long MaxUploadBytes { get; } = maxUploadBytes;

    public string PathOf(Guid datasetId) => Path.Combine(Folder, $"{datasetId:N}.csv.enc");

    public bool Exists(Guid datasetId) => File.Exists(PathOf(datasetId));

    /// <summary>
    /// Stores <paramref name="upload"/> or throws <see cref="CsvValidationException"/> / <see cref="UploadTooLargeException"/> /
    /// <see cref="RequestRefusedException"/> (fewer than <paramref name="minRows"/> records, the policy's <c>minSourceRows</c>), keeping nothing.
    /// </summary>
    public async Task<StoredSourceTable> StoreAsync(Guid datasetId, Stream upload, DatasetSchema schema, long minRows, CancellationToken ct)
    {
        var incoming = Path.Combine(Folder, ".incoming");
        Directory.CreateDirectory(incoming);
        var temp = Path.Combine(incoming, $"{Guid.NewGuid():N}.tmp");
        try
        {
            long bytes = 0;
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, useAsync: true))
            using (var aes = await SourceCipher.WriteHeaderAsync(file, key, ct))
            {
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
            }

            CsvValidationReport report;
            using (var plain = new SourceDecryptingStream(File.OpenRead(temp), key))
                report = CsvTableReader.Validate(plain, schema);
            if (!report.IsValid) throw new CsvValidationException(report.Problems, report.Truncated);
            // The uploader is the steward who holds the table, so the refusal may name its size.
            if (report.RowCount < minRows) throw new RequestRefusedException(RequestErrors.SourceTooSmall(report.RowCount, minRows));

            File.Move(temp, PathOf(datasetId), overwrite: false);
            return new StoredSourceTable(report.RowCount, bytes, Convert.ToHexStringLower(sha.GetHashAndReset()));
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>The decrypted source table, for the release pipeline's split and synthesis.</summary>
    public Stream OpenRead(Guid datasetId) => new SourceDecryptingStream(File.OpenRead(PathOf(datasetId)), key);
}
