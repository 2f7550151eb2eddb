using ReleaseGateway.Releases.Artifacts;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Synthesis.Data;
using ReleaseGateway.Datasets.Schema;

namespace ReleaseGateway.Releases.Reports;

/// <summary>
/// The synthetic table of a release, read back from its own stored artifact (<see cref="SyntheticTableGenerated.Table"/>) and
/// coded over the public schema. It is the only table the release report sees: there is no way to build one from anything
/// but a synthetic artifact (source tables live in another, encrypted store that this namespace never references; a test
/// checks the namespace's signatures and method bodies for it).
/// </summary>
public sealed class SyntheticTable
{
    private readonly EncodedTable _codes;

    private SyntheticTable(EncodedTable codes, DatasetSchema schema)
    {
        _codes = codes;
        Schema = schema;
    }

    /// <summary>The public schema of the released columns.</summary>
    public DatasetSchema Schema { get; }

    /// <summary>Rows of the synthetic table (the requested size or the DP estimate the synthesizer used).</summary>
    public int RowCount => _codes.RowCount;

    public IReadOnlyList<string> ColumnNames => _codes.ColumnNames;

    public IReadOnlyList<int> DomainSizes => _codes.DomainSizes;

    public ReadOnlySpan<int> Column(int index) => _codes.Column(index);

    public int IndexOf(string name) => _codes.IndexOf(name);

    /// <summary>Reads the synthetic CSV a generation stored (hash-verified) and codes it with the released columns' schema.</summary>
    public static async Task<SyntheticTable> LoadAsync(ArtifactStore artifacts, SyntheticTableGenerated generated, DatasetSchema schema, CancellationToken ct)
    {
        await using var stream = await artifacts.OpenVerifiedAsync(generated.Table.Sha256, ct);
        return new SyntheticTable(CsvTableReader.Read(stream, schema), schema);
    }
}
