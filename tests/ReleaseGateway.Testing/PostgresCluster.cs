using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ReleaseGateway.Testing;

/// <summary>
/// A throw-away PostgreSQL cluster for the tests of one process: initdb into a temp folder, started on a
/// free loopback port, stopped and deleted when the process exits. Never touches a system cluster.
/// As root (CI) initdb and postgres refuse to run, so they run as the <c>postgres</c> user via runuser.
/// Each test class takes a database of its own with <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class PostgresCluster
{
    private static readonly Lazy<PostgresCluster> LazyShared = new(() => StartNew(durable: false), LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly string _dataDirectory;
    private readonly string _binDirectory;
    private readonly bool _asPostgresUser;

    private PostgresCluster(string dataDirectory, string binDirectory, bool asPostgresUser, int port)
    {
        _dataDirectory = dataDirectory;
        _binDirectory = binDirectory;
        _asPostgresUser = asPostgresUser;
        Port = port;
    }

    /// <summary>The cluster of this test process, started on first use.</summary>
    public static PostgresCluster Shared => LazyShared.Value;

    public int Port { get; }

    public string AdminConnectionString => ConnectionString("postgres");

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database,
            Pooling = true, MaxPoolSize = 50, IncludeErrorDetail = true,
        }.ConnectionString;

    /// <summary>Creates a fresh, empty database (dropping one of the same name) and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        name = new string(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
        if (name.Length > 60) name = name[..60];
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using (var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection))
            await drop.ExecuteNonQueryAsync();
        await using (var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection))
            await create.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>
    /// Starts a cluster of its own. Tests use <paramref name="durable"/> false (fsync off: nothing to keep);
    /// benchmarks use true so that commit latency is the real, flushed one.
    /// </summary>
    public static PostgresCluster StartNew(bool durable)
    {
        var bin = Environment.GetEnvironmentVariable("RGW_PG_BIN") ?? "/usr/lib/postgresql/15/bin";
        if (!File.Exists(Path.Combine(bin, "initdb")))
            throw new InvalidOperationException($"PostgreSQL binaries not found in {bin}; install postgresql-15 or set RGW_PG_BIN (tests/run.sh installs it).");

        // tests/run.sh sets RGW_TEST_PG_ROOT so it can stop clusters a crashed test host left behind.
        // Without it (a test run outside tests/run.sh), a folder of our own under the temp folder: never the temp folder itself,
        // whose mode (1777) the chmod below would otherwise break for every other program on the machine.
        var root = Environment.GetEnvironmentVariable("RGW_TEST_PG_ROOT") is { Length: > 0 } r
            ? r
            : Directory.CreateTempSubdirectory("rgw-test-pg.").FullName;
        var dataDirectory = Path.Combine(root, $"rgw-pg-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dataDirectory);
        var asPostgresUser = Environment.UserName == "root";
        if (asPostgresUser)
        {
            Run("chmod", ["755", root]);
            Run("chown", ["postgres:postgres", dataDirectory]);
        }

        var port = FreePort();
        var cluster = new PostgresCluster(dataDirectory, bin, asPostgresUser, port);
        cluster.RunPg("initdb", ["-D", Path.Combine(dataDirectory, "db"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
        var durability = durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        cluster.RunPg("pg_ctl", ["-D", Path.Combine(dataDirectory, "db"), "-l", Path.Combine(dataDirectory, "log"), "-w", "-t", "60",
            "-o", $"-p {port} -k {dataDirectory} -c listen_addresses=127.0.0.1 -c max_connections=300{durability}",
            "start"]);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Stop();
        return cluster;
    }

    private void Stop()
    {
        try
        {
            RunPg("pg_ctl", ["-D", Path.Combine(_dataDirectory, "db"), "-m", "immediate", "-w", "stop"]);
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"Could not stop the test PostgreSQL cluster in {_dataDirectory}: {e.Message}");
        }
    }

    private void RunPg(string tool, string[] arguments)
    {
        var path = Path.Combine(_binDirectory, tool);
        if (_asPostgresUser) Run("runuser", ["-u", "postgres", "--", path, .. arguments]);
        else Run(path, arguments);
    }

    private static void Run(string file, string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {stderr.Result}{stdout.Result}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
