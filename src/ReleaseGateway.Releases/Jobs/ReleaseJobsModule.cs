using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Quartz;
using ReleaseGateway.EventStore;

namespace ReleaseGateway.Releases.Jobs;

/// <summary>
/// The durable job engine: Quartz.NET's ADO job store in the event store's own database — the same SQLite file, or
/// the same PostgreSQL database, where several gateway processes form a cluster (docs/adr/0019-job-engine-quartz.md).
/// Configuration: <see cref="ReleaseJobsSettings"/>.
/// </summary>
public static class ReleaseJobsModule
{
    /// <summary>The SCHED_NAME every process shares, which is what makes their rows one schedule.</summary>
    public const string SchedulerName = "ReleaseGateway";

    /// <summary>
    /// Registers the engine and <see cref="IReleaseJobs"/>. Register job types in <paramref name="configureJobs"/>
    /// (<c>q.AddJobType&lt;GenerateReleaseJob&gt;()</c>); each firing gets a DI scope of its own, so a job may take
    /// scoped services in its constructor. Call once. On a cluster, this node never claims a job whose trigger carries one of
    /// <paramref name="refusedExecutionGroups"/> (ADR 0043); on SQLite, where no other process runs jobs, it refuses none.
    /// </summary>
    public static IHostApplicationBuilder AddReleaseJobs(this IHostApplicationBuilder builder, Action<IQuartzBuilder>? configureJobs = null,
        IReadOnlyList<string>? refusedExecutionGroups = null)
    {
        var settings = ReleaseJobsSettings.FromConfiguration(builder.Configuration);
        var store = builder.Configuration.ReadEventStoreSettings();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton(store);
        builder.Services.AddMetrics();
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<IReleaseJobs, QuartzReleaseJobs>();

        builder.AddQuartz(q =>
        {
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = SchedulerName;
                s.IdleWaitTime = settings.IdleWait;
                // A shutdown cancels running jobs; one that stops by throwing is handed back and re-fired with
                // Recovering set, on another node or after the restart (RecoverFiringsCancelledByShutdown).
                s.ShutdownJobInterruption = ShutdownJobInterruption.Always;
            });
            q.UseDefaultThreadPool(settings.Workers);
            q.UseDefaultRetryPolicy(RetryPolicy.None);
            q.AddJobMiddleware<JobOutcomeMiddleware>();
            if (store.UsesPostgres && refusedExecutionGroups is { Count: > 0 }) q.RefuseExecutionGroups([.. refusedExecutionGroups]);
            q.UsePersistentStore(persistent =>
            {
                // Quartz 4 creates its own tables (CREATE ... IF NOT EXISTS, safe when nodes start together) and
                // validates them before the scheduler runs; ADR 0019 says why we do not keep our own copy of the DDL.
                persistent.ProvisionSchema();
                persistent.ConfigureStore(o =>
                {
                    o.StoreJobDataAsStrings = true;
                    o.MisfireThreshold = TimeSpan.FromMinutes(1);
                    o.RecoverFiringsCancelledByShutdown = true;
                });
                if (store.UsesPostgres)
                {
                    persistent.UsePostgres(store.PostgresConnectionString!);
                    persistent.UseClustering(c =>
                    {
                        c.CheckinInterval = settings.ClusterCheckinInterval;
                        c.CheckinMisfireThreshold = settings.ClusterCheckinInterval;
                    });
                }
                else
                {
                    persistent.UseSqlite(o => o.DataSourceFactory = _ => SqliteDataSource(store));
                }
            });
            configureJobs?.Invoke(q);
        });
        builder.AddQuartzHostedService(o =>
        {
            o.AutoStart = false;
            o.WaitForJobsToComplete = true;
        });
        builder.Services.AddHostedService<ReleaseJobsWorker>();
        return builder;
    }

    // The event store's file, with the event store's busy timeout: Quartz's short transactions queue behind an
    // append instead of failing. WAL is set here too, because whichever of the two opens a new file first decides its
    // journal mode, and readers must not block the scheduler's writes (nor the other way round).
    private static System.Data.Common.DbDataSource SqliteDataSource(EventStoreSettings store)
    {
        Directory.CreateDirectory(store.DataDirectory);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = store.SqlitePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 60,
        }.ToString();
        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            using var wal = connection.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            wal.ExecuteNonQuery();
        }
        return SqliteFactory.Instance.CreateDataSource(connectionString);
    }
}
