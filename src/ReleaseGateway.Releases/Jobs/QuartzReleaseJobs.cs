using Quartz;

namespace ReleaseGateway.Releases.Jobs;

internal sealed class QuartzReleaseJobs(ISchedulerFactory schedulers, TimeProvider time) : IReleaseJobs
{
    // One group for everything the gateway stores, so keys are the pipeline's own strings.
    internal const string Group = "release-gateway";

    public async Task<bool> EnqueueAsync<TJob>(string key, IReadOnlyDictionary<string, string> data, CancellationToken cancellationToken = default,
        string? executionGroup = null)
        where TJob : IJob
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var job = JobBuilder.Create<TJob>()
            .WithIdentity(key, Group)
            .RequestRecovery(true)
            .UsingJobData(new JobDataMap(data.ToDictionary(p => p.Key, object? (p) => p.Value)))
            .Build();
        // A one-off that fired late (no worker was up) still runs, at once.
        var trigger = TriggerBuilder.Create<TJob>(time)
            .WithIdentity(key, Group)
            .StartNow()
            .WithExecutionGroup(executionGroup)
            .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        try
        {
            // Checked and stored under the store's lock, so two processes enqueueing one key store it once.
            await scheduler.ScheduleJob(job, trigger, default, cancellationToken);
            return true;
        }
        catch (ObjectAlreadyExistsException)
        {
            return false;
        }
    }

    public async Task EnsureRecurringAsync<TJob>(string key, TimeSpan interval, CancellationToken cancellationToken = default)
        where TJob : IJob
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var job = JobBuilder.Create<TJob>()
            .WithIdentity(key, Group)
            .StoreDurably(true)
            .RequestRecovery(true)
            .DisallowConcurrentExecution(true)
            .Build();
        // After downtime, one run at once and then the regular beat, not one run per missed interval.
        var trigger = TriggerBuilder.Create<TJob>(time)
            .WithIdentity(key, Group)
            .ForJob(job)
            .StartNow()
            .WithSimpleSchedule(s => s.WithInterval(interval).RepeatForever()
                .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NowWithRemainingCount))
            .Build();
        try
        {
            await scheduler.ScheduleJob(job, trigger, default, cancellationToken);
        }
        catch (ObjectAlreadyExistsException)
        {
            if (await scheduler.GetTrigger(trigger.Key, cancellationToken) is ISimpleTrigger existing && existing.RepeatInterval == interval)
                return;
            await scheduler.ScheduleJob(job, trigger, ScheduleJobOptions.Replacing, cancellationToken);
        }
    }

    public async Task<JobStatus?> GetStatusAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var jobKey = new JobKey(key, Group);
        if (!await scheduler.Exists(jobKey, cancellationToken)) return null;
        var firings = await scheduler.QueryFireInstances(new FireInstanceQuery { Job = jobKey }, cancellationToken);
        var running = firings.Items.FirstOrDefault(f => f.State == FireInstanceState.Executing);
        var triggers = await scheduler.QueryTriggers(new TriggerQuery { Job = jobKey }, cancellationToken);
        var next = triggers.Items.Select(t => t.NextFireTimeUtc).Where(t => t is not null).Min();
        return running is null
            ? new JobStatus(key, JobRunState.Waiting, null, null, null, next)
            : new JobStatus(key, JobRunState.Running, running.SchedulerInstanceId, running.Progress, running.ProgressMessage, next);
    }
}
