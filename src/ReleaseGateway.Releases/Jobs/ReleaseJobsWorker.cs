using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;
using ReleaseGateway.EventStore;

namespace ReleaseGateway.Releases.Jobs;

/// <summary>
/// Starts the scheduler once the host has started, when this process runs jobs at all. Quartz's own hosted service
/// builds the scheduler without starting it (so a process with <c>ReleaseGateway:Jobs:Enabled=false</c> can still
/// enqueue) and shuts it down, waiting for interrupted jobs to hand their firings back.
/// </summary>
internal sealed partial class ReleaseJobsWorker(
    ISchedulerFactory schedulers, ReleaseJobsSettings settings, EventStoreSettings store, ILogger<ReleaseJobsWorker> logger)
    : IHostedLifecycleService, IDisposable
{
    private FileStream? _sqliteWorkerLock;

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        if (!settings.Enabled)
        {
            SchedulesOnly(logger);
            await schedulers.GetScheduler(cancellationToken);
            return;
        }
        if (!store.UsesPostgres) _sqliteWorkerLock = TakeSqliteWorkerLock(store);
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await scheduler.Start(cancellationToken);
        Started(logger, scheduler.SchedulerInstanceId, settings.Workers, store.UsesPostgres ? "PostgreSQL, clustered" : "SQLite, single worker process");
    }

    // Quartz refuses to cluster on SQLite: its SQLite store serializes through an in-process lock, and at start it
    // re-fires every firing left in the database as if the previous run had crashed. A second process running jobs
    // on the same file would re-run the first one's jobs while they are still running, so only one may.
    private static FileStream TakeSqliteWorkerLock(EventStoreSettings store)
    {
        Directory.CreateDirectory(store.DataDirectory);
        var path = store.SqlitePath + ".jobs-lock";
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException(
                $"Another process already runs jobs on {store.SqlitePath} (it holds {path}). On SQLite only one gateway process may run jobs: " +
                "set ReleaseGateway:Jobs:Enabled=false for this one, or move to PostgreSQL (ConnectionStrings:Postgres) to share the work.", e);
        }
    }

    public void Dispose() => _sqliteWorkerLock?.Dispose();

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 3110, Level = LogLevel.Information, Message = "Job engine started: instance {InstanceId}, {Workers} worker(s), {Store}")]
    private static partial void Started(ILogger logger, string instanceId, int workers, string store);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Information, Message = "Job engine: this process schedules jobs but runs none (ReleaseGateway:Jobs:Enabled=false)")]
    private static partial void SchedulesOnly(ILogger logger);
}
