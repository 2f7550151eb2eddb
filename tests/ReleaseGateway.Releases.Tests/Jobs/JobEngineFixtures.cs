using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;
using ReleaseGateway.EventStore;
using ReleaseGateway.Releases.Jobs;
using ReleaseGateway.Testing;

namespace ReleaseGateway.Releases.Tests.Jobs;

/// <summary>One run of <see cref="ProbeJob"/>: which host ran it, whether as a recovery, with what data, in which DI scope.</summary>
public sealed record ProbeRun(string Key, string Host, bool Recovering, IReadOnlyDictionary<string, string> Data, Guid ScopeId);

/// <summary>Shared by every host of one test: records runs and holds jobs that must block until the test lets them go.</summary>
public sealed class JobProbe
{
    private readonly ConcurrentQueue<ProbeRun> _runs = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new();

    public IReadOnlyList<ProbeRun> Runs => _runs.ToArray();

    public void Record(ProbeRun run) => _runs.Enqueue(run);

    public Task Gate(string key) => _gates.GetOrAdd(key, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Release(string key) => _gates.GetOrAdd(key, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public async Task<IReadOnlyList<ProbeRun>> WaitForAsync(Func<IReadOnlyList<ProbeRun>, bool> condition, string what)
    {
        await Eventually.TrueAsync(() => Task.FromResult(condition(Runs)), what);
        return Runs;
    }
}

public sealed record HostLabel(string Name);

public sealed class ScopeMarker
{
    public Guid Id { get; } = Guid.NewGuid();
}

/// <summary>
/// Does what its job data says: <c>mode=block</c> reports progress and waits for the probe's gate (or for
/// cancellation) unless it is a recovery, <c>mode=throw</c> fails. Takes a scoped service to show each firing
/// gets a scope of its own.
/// </summary>
public sealed class ProbeJob(JobProbe probe, HostLabel host, ScopeMarker scope) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var key = context.JobDetail.Key.Name;
        // Quartz adds the scheduling call's trace context (QRTZ_TRACEPARENT, QRTZ_TRACESTATE) to trigger data.
        var data = context.MergedJobDataMap.Keys.Where(k => !k.StartsWith("QRTZ_", StringComparison.Ordinal))
            .ToDictionary(k => k, k => context.MergedJobDataMap.GetString(k) ?? "");
        probe.Record(new ProbeRun(key, host.Name, context.Recovering, data, scope.Id));
        switch (data.GetValueOrDefault("mode"))
        {
            case "throw":
                throw new InvalidOperationException("The probe job failed on purpose.");
            case "block" when !context.Recovering:
                context.ReportProgress(40, "halfway");
                await probe.Gate(key).WaitAsync(cancellationToken);
                break;
        }
    }
}

public sealed record ProbeAppended(int Index);

/// <summary>Writes <c>count</c> events to a stream of its own, one transaction each, as the pipeline's steps do.</summary>
public sealed class AppendingProbeJob(IEventStore store) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var stream = Guid.Parse(context.MergedJobDataMap.GetString("stream")!);
        var count = context.MergedJobDataMap.GetInt("count");
        for (var i = 0; i < count; i++)
        {
            await using var session = store.OpenSession(new EventMetadata("system:test", "System", context.FireInstanceId));
            if (i == 0) session.StartStream(stream, new ProbeAppended(i));
            else session.Append(stream, i, new ProbeAppended(i));
            await session.SaveChangesAsync(cancellationToken);
        }
    }
}

public sealed class RecurringProbeJob(JobProbe probe, HostLabel host) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        probe.Record(new ProbeRun(context.JobDetail.Key.Name, host.Name, context.Recovering, new Dictionary<string, string>(), Guid.Empty));
        return ValueTask.CompletedTask;
    }
}

/// <summary>Where a test's gateway processes keep their data: a SQLite data folder, or a PostgreSQL database.</summary>
public sealed record JobDatabase(string DataDirectory, string? Postgres)
{
    public static JobDatabase NewSqlite() =>
        new(Path.Combine(Path.GetTempPath(), "rgw-jobs-tests", Guid.NewGuid().ToString("N")), null);

    public static async Task<JobDatabase> NewPostgresAsync() =>
        new(Path.Combine(Path.GetTempPath(), "rgw-jobs-tests", Guid.NewGuid().ToString("N")),
            await PostgresCluster.Shared.CreateDatabaseAsync($"jobs_{Guid.NewGuid():N}"));

    /// <summary>
    /// What a kill -9 at this instant would leave on disk: every committed row, nothing of what the running processes
    /// hold in memory. A host started on the copy is the restarted gateway (or, on PostgreSQL, another node).
    /// </summary>
    public async Task<JobDatabase> SnapshotAsync()
    {
        if (Postgres is null)
        {
            var copy = NewSqlite();
            Directory.CreateDirectory(copy.DataDirectory);
            await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(DataDirectory, "events.db"), DefaultTimeout = 60 }.ToString());
            await connection.OpenAsync();
            await using var vacuum = connection.CreateCommand();
            vacuum.CommandText = "VACUUM INTO $path";
            vacuum.Parameters.AddWithValue("$path", Path.Combine(copy.DataDirectory, "events.db"));
            await vacuum.ExecuteNonQueryAsync();
            return copy;
        }
        var target = await NewPostgresAsync();
        var bin = Environment.GetEnvironmentVariable("RGW_PG_BIN") ?? "/usr/lib/postgresql/15/bin";
        var dump = Path.Combine(Path.GetTempPath(), $"rgw-jobs-{Guid.NewGuid():N}.sql");
        try
        {
            await RunAsync(Path.Combine(bin, "pg_dump"), ["--no-owner", "--file", dump, "--dbname", UriFor(Postgres)]);
            await RunAsync(Path.Combine(bin, "psql"), ["--quiet", "--set", "ON_ERROR_STOP=1", "--file", dump, "--dbname", UriFor(target.Postgres!)]);
        }
        finally
        {
            File.Delete(dump);
        }
        return target;
    }

    /// <summary>The Quartz tables found in the event store's own database (events.db, or the PostgreSQL database).</summary>
    public async Task<IReadOnlyList<string>> QuartzTablesAsync()
    {
        System.Data.Common.DbConnection connection = Postgres is null
            ? new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(DataDirectory, "events.db") }.ToString())
            : new Npgsql.NpgsqlConnection(Postgres);
        await using (connection)
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = Postgres is null
                ? "SELECT name FROM sqlite_master WHERE type = 'table' AND lower(name) LIKE 'qrtz%'"
                : "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND lower(table_name) LIKE 'qrtz%'";
            var tables = new List<string>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0).ToLowerInvariant());
            return tables;
        }
    }

    /// <summary>How many rows a Quartz table of this database holds (its job store: one row per stored job or trigger).</summary>
    public async Task<long> QuartzRowsAsync(string table)
    {
        System.Data.Common.DbConnection connection = Postgres is null
            ? new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(DataDirectory, "events.db") }.ToString())
            : new Npgsql.NpgsqlConnection(Postgres);
        await using (connection)
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM {table}";
            return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private static string UriFor(string connectionString)
    {
        var b = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        return $"postgresql://{b.Username}@{b.Host}:{b.Port}/{b.Database}";
    }

    private static async Task RunAsync(string file, string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} exited {process.ExitCode}: {await stderr}{await stdout}");
    }
}

/// <summary>A gateway process as far as jobs go: a real generic host with the event store and the job engine.</summary>
public static class JobHost
{
    public static IHost Build(JobDatabase database, JobProbe probe, string name, bool enabled = true, int workers = 1)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            EnvironmentName = Environments.Development,
            ContentRootPath = Path.GetTempPath(),
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ReleaseGateway:DataDirectory"] = database.DataDirectory,
            ["ConnectionStrings:Postgres"] = database.Postgres ?? "",
            ["ReleaseGateway:Jobs:Enabled"] = enabled ? "true" : "false",
            ["ReleaseGateway:Jobs:Workers"] = workers.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ReleaseGateway:Jobs:ClusterCheckinIntervalSeconds"] = "1",
            ["ReleaseGateway:Jobs:IdleWaitSeconds"] = "1",
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddEventStore(builder.Configuration);
        builder.Services.ConfigureEventStore(o => o.Events.Register<ProbeAppended>());
        builder.Services.AddSingleton(probe);
        builder.Services.AddSingleton(new HostLabel(name));
        builder.Services.AddScoped<ScopeMarker>();
        builder.AddReleaseJobs(q =>
        {
            q.AddJobType<ProbeJob>();
            q.AddJobType<RecurringProbeJob>();
            q.AddJobType<AppendingProbeJob>();
        });
        return builder.Build();
    }

    public static async Task<IHost> StartAsync(JobDatabase database, JobProbe probe, string name, bool enabled = true, int workers = 1)
    {
        var host = Build(database, probe, name, enabled, workers);
        await host.StartAsync();
        return host;
    }

    public static IReleaseJobs Jobs(this IHost host) => host.Services.GetRequiredService<IReleaseJobs>();
}
