using Quartz;

namespace ReleaseGateway.Releases.Jobs;

/// <summary>
/// The pipeline's door to the job engine: durable jobs in the event store's database, run by whichever gateway
/// process is free. Delivery is at least once: a job in flight when its process dies is run again with
/// <see cref="IJobExecutionContext.Recovering"/> true, so every job must be idempotent (ADR 0019).
/// </summary>
public interface IReleaseJobs
{
    /// <summary>
    /// Stores <typeparamref name="TJob"/> to run as soon as a worker is free, with <paramref name="data"/> as its
    /// <see cref="IJobExecutionContext.MergedJobDataMap"/>. Returns false, storing nothing, while a job with the same
    /// <paramref name="key"/> is waiting or running; once it has ended the key may be used again. With an
    /// <paramref name="executionGroup"/>, only nodes that serve the group claim the job (ADR 0043).
    /// </summary>
    Task<bool> EnqueueAsync<TJob>(string key, IReadOnlyDictionary<string, string> data, CancellationToken cancellationToken = default,
        string? executionGroup = null)
        where TJob : IJob;

    /// <summary>
    /// Runs <typeparamref name="TJob"/> now and then every <paramref name="interval"/>, never twice at once across the
    /// cluster. Idempotent: calling it again (every process does at start-up) keeps the schedule, or moves it to a
    /// changed interval.
    /// </summary>
    Task EnsureRecurringAsync<TJob>(string key, TimeSpan interval, CancellationToken cancellationToken = default)
        where TJob : IJob;

    /// <summary>The job stored under <paramref name="key"/>, or null when there is none (never enqueued, or ended).</summary>
    Task<JobStatus?> GetStatusAsync(string key, CancellationToken cancellationToken = default);
}

/// <summary>
/// A stored job. <see cref="InstanceId"/> names the process running it (null while it waits);
/// <see cref="Progress"/> (0–100) and <see cref="ProgressMessage"/> are what the job last passed to
/// <see cref="IJobExecutionContext.ReportProgress"/>, written at most once a second.
/// </summary>
public sealed record JobStatus(string Key, JobRunState State, string? InstanceId, int? Progress, string? ProgressMessage, DateTimeOffset? NextRunUtc);

public enum JobRunState
{
    Waiting,
    Running,
}
