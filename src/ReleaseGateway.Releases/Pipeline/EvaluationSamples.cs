using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Datasets.Sources;
using ReleaseGateway.EventStore.Blobs;
using ReleaseGateway.Requests.Datasets.UploadSourceTable;

namespace ReleaseGateway.Releases.Pipeline;

/// <summary>
/// The committee's evaluation sample of an attempt on an engine-backed source (ADR 0038): drawn by the engine in the
/// generation's own snapshot (so it comes from exactly the rows the synthesizer was counted on, however the warehouse
/// changes afterwards) and kept encrypted like source tables and attempt keys, under <c>DATA/evaluation-samples/</c>, so a
/// resumed evaluation reads the same rows. Codes only (no key column); never served.
/// </summary>
public sealed class EvaluationSamples(string dataDirectory, SourceEncryptionKey encryption, EngineSourceOptions options)
{
    private readonly string _folder = Path.Combine(dataDirectory, "evaluation-samples");

    /// <summary>The configured engines (connections, file roots, DuckDB limits).</summary>
    public EngineSourceOptions Options { get; } = options;

    public string PathOf(Guid releaseId) => Path.Combine(_folder, $"{releaseId:N}.sample.enc");

    public void Store(Guid releaseId, EncodedTable train, EncodedTable holdout)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(train.ColumnCount);
            writer.Write(train.RowCount);
            writer.Write(holdout.RowCount);
            foreach (var table in new[] { train, holdout })
                for (int j = 0; j < table.ColumnCount; j++)
                    foreach (int code in table.Column(j)) writer.Write(code);
        }
        // A regeneration of the same attempt id never happens; a crashed write is redone (replaced whole).
        new FolderBlobStore(dataDirectory).Put($"evaluation-samples/{releaseId:N}.sample.enc", encryption.Seal(buffer.ToArray()));
    }

    /// <summary>The stored sample with the columns and domain sizes of <paramref name="columns"/>/<paramref name="domainSizes"/>.</summary>
    public (EncodedTable Train, EncodedTable Holdout) Load(Guid releaseId, IReadOnlyList<string> columns, IReadOnlyList<int> domainSizes)
    {
        var path = PathOf(releaseId);
        if (!File.Exists(path)) throw new InvalidOperationException($"The evaluation sample of release {releaseId} is missing from the data folder.");
        using var reader = new BinaryReader(new MemoryStream(encryption.Open(File.OpenRead(path))));
        int d = reader.ReadInt32(), trainRows = reader.ReadInt32(), holdoutRows = reader.ReadInt32();
        if (d != columns.Count) throw new InvalidDataException($"The evaluation sample has {d} columns, the attempt {columns.Count}.");
        EncodedTable Read(int rows) => new(columns, domainSizes, Enumerable.Range(0, d).Select(_ =>
        {
            var codes = new int[rows];
            for (int i = 0; i < rows; i++) codes[i] = reader.ReadInt32();
            return codes;
        }).ToArray());
        var train = Read(trainRows);
        return (train, Read(holdoutRows));
    }
}
