using System.Text.Json.Serialization;

namespace ReleaseGateway.Datasets.Sources;

/// <summary>Where a dataset's source table lives, chosen by the data steward (ADR 0038).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SourceKind>))]
public enum SourceKind
{
    /// <summary>A CSV file uploaded to the gateway and stored encrypted in its data folder.</summary>
    Upload,

    /// <summary>A table, view or read-only query in a PostgreSQL database of the hospital's, counted in that database.</summary>
    Postgres,

    /// <summary>A large CSV or Parquet file on a path the gateway may read, counted out of core by the embedded DuckDB engine.</summary>
    File,
}

/// <summary>
/// An engine-backed source as recorded in the dataset's events: the connection is only a name from the gateway's
/// configuration (the connection string, with its password, never enters an event); exactly one of
/// <see cref="Relation"/> and <see cref="Query"/> for PostgreSQL, <see cref="Path"/> for a file.
/// </summary>
/// <param name="Kind"><see cref="SourceKind.Postgres"/> or <see cref="SourceKind.File"/>.</param>
/// <param name="Connection">Name of a connection string under <c>ReleaseGateway:Sources:Connections</c>.</param>
/// <param name="Relation">A table or view, <c>schema.name</c> or <c>name</c>; each part is quoted as an identifier.</param>
/// <param name="Query">A read-only SELECT, run as a subquery inside a read-only transaction.</param>
/// <param name="Path">Absolute path of a <c>.csv</c>, <c>.csv.gz</c> or <c>.parquet</c> file under a configured file root.</param>
/// <param name="RowKey">
/// A column (not in the schema) that identifies a row, used as the unit of the secret coins when the schema has no person
/// key; without it the unit of a row is its coded content (ADR 0038).
/// </param>
public sealed record EngineSource(SourceKind Kind, string? Connection = null, string? Relation = null, string? Query = null, string? Path = null,
    string? RowKey = null)
{
    /// <summary>The file format, from the path's extension (not recorded: it follows from the path).</summary>
    [JsonIgnore]
    public bool IsParquet => Path is not null && Path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);

    /// <summary>A one-line public description: the kind and where (no connection string, no data).</summary>
    public string Describe() => Kind switch
    {
        SourceKind.Postgres => Relation is not null ? $"postgres {Connection}: {Relation}" : $"postgres {Connection}: query",
        SourceKind.File => $"file {Path}",
        _ => "uploaded file",
    };
}

/// <summary>
/// Configuration of engine-backed sources (<c>ReleaseGateway:Sources</c>): named PostgreSQL connection strings, the
/// folders files may be read from, and DuckDB's limits (its memory counts towards the gateway's own).
/// </summary>
public sealed class EngineSourceOptions
{
    /// <summary>Connection strings by name; only the name is ever recorded.</summary>
    public Dictionary<string, string> Connections { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Folders under which a file source may lie (after resolving links); none: file sources are refused.</summary>
    public List<string> FileRoots { get; set; } = [];

    /// <summary>DuckDB's memory limit; it spills to <see cref="TempDirectory"/> beyond it.</summary>
    public string DuckDbMemoryLimit { get; set; } = "512MB";

    /// <summary>DuckDB's spill folder; null: the system temp folder.</summary>
    public string? TempDirectory { get; set; }

    /// <summary>DuckDB worker threads; null: one per core.</summary>
    public int? DuckDbThreads { get; set; }

    /// <summary>PostgreSQL <c>work_mem</c> for the counting transaction (hash aggregation of every marginal in one pass).</summary>
    public string PostgresWorkMem { get; set; } = "64MB";

    /// <summary>Upper bound on the cells of all 1- and 2-way marginals counted in one pass and kept in memory.</summary>
    public long PrefetchCells { get; set; } = 20_000_000;
}

/// <summary>What is wrong with an engine-backed source; the Requests module maps each to its RG code.</summary>
public enum SourceProblemKind
{
    /// <summary>The connection name is not configured.</summary>
    UnknownConnection,

    /// <summary>The database cannot be reached or refused the sign-in.</summary>
    Unreachable,

    /// <summary>The table, view or query does not exist or does not run.</summary>
    RelationMissing,

    /// <summary>A schema column is missing or has a type that cannot hold the schema's values.</summary>
    ColumnMismatch,

    /// <summary>Values lie outside the schema's public domain.</summary>
    OutOfDomain,

    /// <summary>The file is missing, of an unknown format, or outside the configured roots.</summary>
    FileRefused,

    /// <summary>The source changed since the snapshot a release was generated from.</summary>
    Changed,
}

/// <summary>A source the gateway cannot use, with a message for the data steward (inside the trust boundary).</summary>
public sealed class SourceProblemException(SourceProblemKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Which problem.</summary>
    public SourceProblemKind Kind { get; } = kind;
}
