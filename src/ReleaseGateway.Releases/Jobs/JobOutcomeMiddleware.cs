using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Quartz;

namespace ReleaseGateway.Releases.Jobs;

/// <summary>
/// Wraps every job: counts it on the gateway's meter and ends a job that threw. The pipeline records its own
/// failures as events, so a failed job is logged and finished, never re-fired; only a job that stops because the
/// scheduler is shutting down lets its cancellation through, which hands the firing back for recovery.
/// </summary>
internal sealed partial class JobOutcomeMiddleware : IJobExecutionMiddleware
{
    // GatewayTelemetry.Name, which lives in ReleaseGateway.Identity; this project does not reference it.
    private const string MeterName = "ReleaseGateway";
    private readonly Counter<long> _executions;
    private readonly ILogger<JobOutcomeMiddleware> _logger;

    public JobOutcomeMiddleware(IMeterFactory meterFactory, ILogger<JobOutcomeMiddleware> logger)
    {
        _executions = meterFactory.Create(MeterName).CreateCounter<long>("rgw.jobs.executions",
            description: "Background job executions by job type and outcome (succeeded, failed, cancelled).");
        _logger = logger;
    }

    public async ValueTask Invoke(IJobExecutionContext context, JobExecutionDelegate next, CancellationToken cancellationToken)
    {
        var job = context.JobInstance.GetType().Name;
        var key = context.JobDetail.Key.Name;
        if (context.Recovering) Recovering(_logger, key, job);
        try
        {
            await next(context, cancellationToken);
            Count(job, "succeeded", context.Recovering);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Count(job, "cancelled", context.Recovering);
            HandedBack(_logger, key, job);
            throw;
        }
        catch (Exception e)
        {
            Count(job, "failed", context.Recovering);
            Failed(_logger, e, key, job);
        }
    }

    private void Count(string job, string outcome, bool recovering) =>
        _executions.Add(1, new("job", job), new("outcome", outcome), new("recovering", recovering));

    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message = "Job {Key} ({Job}) is run again as a recovery: its previous run ended with its process, or was stopped by a shutdown")]
    private static partial void Recovering(ILogger logger, string key, string job);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Job {Key} ({Job}) was cancelled; at shutdown its firing is handed back and runs again as a recovery")]
    private static partial void HandedBack(ILogger logger, string key, string job);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Error, Message = "Job {Key} ({Job}) failed; it is not retried")]
    private static partial void Failed(ILogger logger, Exception exception, string key, string job);
}
