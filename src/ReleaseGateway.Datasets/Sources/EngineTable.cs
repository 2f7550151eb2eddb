using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Net.Sockets;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using Npgsql;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Datasets.Sources;

/// <summary>What the gateway learnt of an engine-backed source when it checked it: shown to stewards and compliance only.</summary>
/// <param name="Rows">Exact number of rows (a statistic of the real data: inside the trust boundary).</param>
/// <param name="Fingerprint">
/// SHA-256 (hex) identifying the snapshot: of the file's bytes for a file; for PostgreSQL, of the source's description, the
/// row count and an order-independent checksum of every row's text, all read in the one repeatable-read snapshot.
/// </param>
public sealed record SourceInspection(long Rows, string Fingerprint);

/// <summary>
/// One consistent snapshot of an engine-backed source, open for checking and counting: on PostgreSQL a
/// <c>REPEATABLE READ READ ONLY</c> transaction held until disposal, so every query sees the same rows; for a file, an
/// in-process DuckDB reading the file, whose SHA-256 is taken when opened and checked again by <see cref="VerifyUnchanged"/>.
/// The gateway never holds the rows: every question is a query whose answer has the size of a marginal (ADR 0038).
/// </summary>
public sealed partial class EngineTable : IDisposable
{
    private readonly DbConnection connection;
    private readonly DbTransaction? transaction;
    private readonly string fileHash = "";
    private string? spill;
    private readonly Dictionary<KeyedCoin, string> macFunctions = new(ReferenceEqualityComparer.Instance);

    private EngineTable(EngineSource source, EngineSourceOptions options, DbConnection connection, DbTransaction? transaction, string from, string fileHash)
    {
        Source = source;
        Options = options;
        this.connection = connection;
        this.transaction = transaction;
        From = from;
        this.fileHash = fileHash;
    }

    /// <summary>The source this snapshot reads.</summary>
    public EngineSource Source { get; }

    internal EngineSourceOptions Options { get; }

    internal SqlDialect Dialect => Source.Kind == SourceKind.Postgres ? SqlDialect.Postgres : SqlDialect.DuckDb;

    /// <summary>The FROM item, aliased <c>src</c> by its users.</summary>
    internal string From { get; }

    /// <summary>Opens a snapshot of <paramref name="source"/>; <see cref="SourceProblemException"/> when it cannot be read.</summary>
    public static EngineTable Open(EngineSource source, EngineSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        return source.Kind switch
        {
            SourceKind.Postgres => OpenPostgres(source, options),
            SourceKind.File => OpenFile(source, options),
            _ => throw new ArgumentException("an uploaded file is read by the source table store, not an engine", nameof(source)),
        };
    }

    private static EngineTable OpenPostgres(EngineSource source, EngineSourceOptions options)
    {
        if (source.Connection is null || !options.Connections.TryGetValue(source.Connection, out var connectionString))
            throw new SourceProblemException(SourceProblemKind.UnknownConnection,
                $"No connection named '{source.Connection}' is configured (ReleaseGateway:Sources:Connections); known: {string.Join(", ", options.Connections.Keys.Order(StringComparer.Ordinal))}.");
        string from = source.Relation is { } relation
            ? string.Join('.', relation.Split('.', 2).Select(SqlDialect.Quote))
            : "(" + (source.Query ?? throw new ArgumentException("a PostgreSQL source needs a relation or a query", nameof(source))) + ")";
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            connection.Open();
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException or ArgumentException)
        {
            connection.Dispose();
            throw new SourceProblemException(SourceProblemKind.Unreachable, $"The database of connection '{source.Connection}' cannot be reached: {e.Message}", e);
        }

        var transaction = connection.BeginTransaction(IsolationLevel.RepeatableRead);
        var table = new EngineTable(source, options, connection, transaction, from, "");
        try
        {
            // Read only: a query the steward wrote cannot change the hospital's data, whatever it says.
            table.Execute("SET TRANSACTION READ ONLY", new SqlParameters());
            var parameters = new SqlParameters();
            table.Execute($"SELECT set_config('work_mem', {parameters.Add(options.PostgresWorkMem)}, true)", parameters);
        }
        catch
        {
            table.Dispose();
            throw;
        }

        return table;
    }

    private static EngineTable OpenFile(EngineSource source, EngineSourceOptions options)
    {
        string path = CheckedPath(source.Path, options);
        string hash;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20))
            hash = Convert.ToHexStringLower(SHA256.HashData(stream));
        string literal = "'" + path.Replace("'", "''", StringComparison.Ordinal) + "'";
        string from = source.IsParquet ? $"read_parquet({literal})" : $"read_csv({literal}, header = true)";
        var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        var table = new EngineTable(source, options, connection, null, from, hash);
        try
        {
            var memory = options.DuckDbMemoryLimit;
            if (!MemoryLimitPattern().IsMatch(memory)) throw new ArgumentException($"'{memory}' is not a DuckDB memory limit such as 512MB");
            table.Execute($"SET memory_limit = '{memory}'", new SqlParameters());
            table.Execute("SET preserve_insertion_order = false", new SqlParameters());
            if (options.DuckDbThreads is int threads) table.Execute($"SET threads = {Math.Max(1, threads).ToString(CultureInfo.InvariantCulture)}", new SqlParameters());
            // Beyond the memory limit DuckDB spills to disk; an in-memory database has no spill folder unless given one.
            var temp = System.IO.Path.Combine(options.TempDirectory ?? System.IO.Path.GetTempPath(), "rgw-duckdb-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(temp);
            table.spill = temp;
            table.Execute($"SET temp_directory = '{temp.Replace("'", "''", StringComparison.Ordinal)}'", new SqlParameters());
        }
        catch
        {
            table.Dispose();
            throw;
        }

        return table;
    }

    /// <summary>The file's full path when it is allowed: a .csv, .csv.gz or .parquet file under a configured root (links resolved).</summary>
    public static string CheckedPath(string? path, EngineSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(path) || !System.IO.Path.IsPathFullyQualified(path) || path.Any(char.IsControl))
            throw new SourceProblemException(SourceProblemKind.FileRefused, "A file source needs an absolute path without control characters.");
        if (!(path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".csv.gz", StringComparison.OrdinalIgnoreCase)
              || path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase)))
            throw new SourceProblemException(SourceProblemKind.FileRefused, "A file source must be a .csv, .csv.gz or .parquet file.");
        var info = new FileInfo(System.IO.Path.GetFullPath(path));
        if (!info.Exists) throw new SourceProblemException(SourceProblemKind.FileRefused, $"No file {path}.");
        string full = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? info.FullName;
        bool allowed = options.FileRoots.Select(r => System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(r)) + System.IO.Path.DirectorySeparatorChar)
            .Any(root => full.StartsWith(root, StringComparison.Ordinal));
        if (!allowed)
            throw new SourceProblemException(SourceProblemKind.FileRefused,
                $"{path} is not under a folder the gateway may read (ReleaseGateway:Sources:FileRoots: {string.Join(", ", options.FileRoots)}).");
        return full;
    }

    /// <summary>
    /// Checks the source against <paramref name="schema"/> in this snapshot: every synthesis column (and the person key and
    /// the source's row key) present with a type that can hold its values, and every value inside the public domain.
    /// Returns the row count and the snapshot's fingerprint; <see cref="SourceProblemException"/> names what is wrong.
    /// </summary>
    public SourceInspection Inspect(DatasetSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        CheckColumns(schema);
        var parameters = new SqlParameters();
        var columns = schema.SynthesisColumns;
        var checks = columns.Select(c => $"count(*) FILTER (WHERE {EncodingSql.Code(c, schema.OutOfDomain, Dialect, parameters)} IS NULL)").ToList();
        var keys = KeyColumns(schema);
        checks.AddRange(keys.Select(k => $"count(*) FILTER (WHERE src.{SqlDialect.Quote(k)} IS NULL)"));
        string checksum = Source.Kind == SourceKind.Postgres ? ", sum(hashtextextended(CAST(src AS text), 0))" : "";
        string sql = $"SELECT count(*), {string.Join(", ", checks)}{checksum} FROM {From} AS src";
        long rows = 0;
        var invalid = new long[checks.Count];
        string sum = "";
        Query(sql, parameters, reader =>
        {
            rows = Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture);
            for (int i = 0; i < invalid.Length; i++) invalid[i] = Convert.ToInt64(reader.GetValue(1 + i), CultureInfo.InvariantCulture);
            if (checksum.Length > 0) sum = reader.IsDBNull(1 + invalid.Length) ? "0" : Convert.ToString(reader.GetValue(1 + invalid.Length), CultureInfo.InvariantCulture)!;
        });
        var names = columns.Select(c => c.Name).Concat(keys).ToList();
        var bad = names.Zip(invalid).Where(x => x.Second > 0).ToList();
        if (bad.Count > 0)
            throw new SourceProblemException(SourceProblemKind.OutOfDomain,
                "Values outside the schema's domain: " + string.Join("; ", bad.Select(b => keys.Contains(b.First)
                    ? $"key column '{b.First}' is empty in {b.Second} rows"
                    : $"column '{b.First}' has {b.Second} values that are not in its declared domain (unknown category, out of bounds, not a whole number, or empty where missing is not allowed)")) + ".");
        string fingerprint = Source.Kind == SourceKind.File
            ? fileHash
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"postgres\n{Source.Connection}\n{From}\n{rows}\n{sum}")));
        return new SourceInspection(rows, fingerprint);
    }

    /// <summary>For a file: throws <see cref="SourceProblemException"/> (<see cref="SourceProblemKind.Changed"/>) when its bytes changed since it was opened.</summary>
    public void VerifyUnchanged()
    {
        if (Source.Kind != SourceKind.File) return;
        using var stream = new FileStream(Source.Path!, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        if (Convert.ToHexStringLower(SHA256.HashData(stream)) != fileHash)
            throw new SourceProblemException(SourceProblemKind.Changed, $"The file {Source.Path} changed while the gateway read it.");
    }

    /// <summary>
    /// Whether the engine finds <paramref name="coin"/>'s value for the unit text <paramref name="unit"/> below
    /// <paramref name="p"/>: the same comparison the split runs per row, for checking the engine against
    /// <see cref="KeyedCoin.Uniform(ReadOnlySpan{byte})"/>.
    /// </summary>
    public bool CoinBelow(KeyedCoin coin, string unit, double p)
    {
        ArgumentNullException.ThrowIfNull(coin);
        var parameters = new SqlParameters();
        string text = parameters.Add(unit);
        string sql = $"SELECT {Mac(coin, Dialect.Text(text), parameters)} < {Threshold(p, parameters)}";
        bool below = false;
        Query(sql, parameters, reader => below = Convert.ToBoolean(reader.GetValue(0), CultureInfo.InvariantCulture));
        return below;
    }

    /// <summary>The key columns read besides the schema's codes: the person key, or else the source's row key.</summary>
    internal IReadOnlyList<string> KeyColumns(DatasetSchema schema) =>
        schema.PersonKey is { } person ? [person.Name] : Source.RowKey is { } row ? [row] : [];

    private void CheckColumns(DatasetSchema schema)
    {
        var found = new Dictionary<string, Type>(StringComparer.Ordinal);
        try
        {
            Query($"SELECT * FROM {From} AS src LIMIT 0", new SqlParameters(), _ => { }, reader =>
            {
                for (int i = 0; i < reader.FieldCount; i++) found[reader.GetName(i)] = reader.GetFieldType(i);
            });
        }
        catch (SourceProblemException e) when (e.InnerException is PostgresException pg && pg.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            throw new SourceProblemException(SourceProblemKind.RelationMissing, $"The relation {Source.Relation} does not exist or the gateway may not read it: {pg.MessageText}", e);
        }

        var problems = new List<string>();
        foreach (var column in schema.SynthesisColumns)
        {
            if (!found.TryGetValue(column.Name, out var type)) problems.Add($"column '{column.Name}' is missing");
            else if (!Holds(column.Type, type)) problems.Add($"column '{column.Name}' is of type {type.Name}, which cannot hold {column.Type.ToString().ToLowerInvariant()} values");
        }

        foreach (var key in KeyColumns(schema).Where(k => !found.ContainsKey(k))) problems.Add($"key column '{key}' is missing");
        if (problems.Count > 0)
            throw new SourceProblemException(SourceProblemKind.ColumnMismatch,
                $"The source does not match the schema: {string.Join("; ", problems)}. It has the columns {string.Join(", ", found.Keys.Select(k => $"'{k}'"))}.");
    }

    private static bool Holds(ColumnType schemaType, Type type) => schemaType switch
    {
        ColumnType.Integer or ColumnType.Continuous => type == typeof(sbyte) || type == typeof(byte) || type == typeof(short) || type == typeof(ushort)
            || type == typeof(int) || type == typeof(uint) || type == typeof(long) || type == typeof(ulong) || type == typeof(float) || type == typeof(double)
            || type == typeof(decimal) || type == typeof(BigInteger) || type == typeof(Int128) || type == typeof(UInt128),
        ColumnType.Date => type == typeof(DateTime) || type == typeof(DateOnly) || type == typeof(DateTimeOffset),
        _ => type != typeof(byte[]),
    };

    /// <summary>
    /// The coin's 64-bit MAC prefix of <paramref name="unitText"/> as an engine expression that orders like the integer,
    /// and (<see cref="Threshold"/>) the bound it is compared with. PostgreSQL computes HMAC-SHA256 in SQL from its
    /// SHA-256 and the key pads (bound parameters); the embedded DuckDB calls a scalar function of this process, .NET's
    /// HMAC-SHA256 (<see cref="KeyedCoin.Prefix"/>), vectorised over chunks of rows: the same coin, several times faster
    /// than SQL string hashing, and the key never leaves the process either way.
    /// </summary>
    internal string Mac(KeyedCoin coin, string unitText, SqlParameters parameters)
    {
        if (connection is not DuckDBConnection duck) return Dialect.Mac(coin, unitText, parameters);
        if (!macFunctions.TryGetValue(coin, out var name))
        {
            name = "rgw_mac_" + macFunctions.Count.ToString(CultureInfo.InvariantCulture);
            duck.RegisterScalarFunction<string, ulong>(name, (readers, writer, rows) =>
            {
                var units = readers[0];
                var buffer = new byte[256];
                for (ulong i = 0; i < rows; i++)
                {
                    string unit = units.GetValue<string>(i);
                    int length = Encoding.UTF8.GetMaxByteCount(unit.Length);
                    if (length > buffer.Length) buffer = new byte[length];
                    int written = Encoding.UTF8.GetBytes(unit, buffer);
                    writer.WriteValue(coin.Prefix(buffer.AsSpan(0, written)), i);
                }
            });
            macFunctions[coin] = name;
        }

        return $"{name}({unitText})";
    }

    /// <summary>The bound below which <see cref="Mac"/> means the coin is below <paramref name="p"/>.</summary>
    internal string Threshold(double p, SqlParameters parameters) =>
        connection is DuckDBConnection ? parameters.Add(KeyedCoin.Threshold(p)) : Dialect.Threshold(p, parameters);

    internal void Execute(string sql, SqlParameters parameters)
    {
        using var command = Dialect.Command(connection, sql, parameters);
        if (transaction is not null) command.Transaction = transaction;
        command.ExecuteNonQuery();
    }

    internal void Query(string sql, SqlParameters parameters, Action<DbDataReader> row, Action<DbDataReader>? schema = null)
    {
        using var command = Dialect.Command(connection, sql, parameters);
        if (transaction is not null) command.Transaction = transaction;
        try
        {
            using var reader = command.ExecuteReader();
            schema?.Invoke(reader);
            while (reader.Read()) row(reader);
        }
        catch (PostgresException e)
        {
            throw new SourceProblemException(SourceProblemKind.RelationMissing,
                (Source.Relation is not null ? $"The relation {Source.Relation} cannot be read: " : "The query does not run: ") + e.MessageText, e);
        }
        catch (DuckDBException e)
        {
            throw new SourceProblemException(SourceProblemKind.FileRefused, $"The file {Source.Path} cannot be read: {e.Message}", e);
        }
    }

    /// <summary>Ends the snapshot (rolls the read-only transaction back) and closes the connection.</summary>
    public void Dispose()
    {
        try
        {
            transaction?.Rollback();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // The connection already broke; closing it ends the transaction anyway.
        }

        transaction?.Dispose();
        connection.Dispose();
        if (spill is not null && Directory.Exists(spill)) Directory.Delete(spill, recursive: true);
    }

    [GeneratedRegex("^[0-9]+(\\.[0-9]+)?\\s*[KMGT]i?B$")]
    private static partial Regex MemoryLimitPattern();
}
