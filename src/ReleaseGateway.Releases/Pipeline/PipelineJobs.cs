using Microsoft.Extensions.Logging;
using Quartz;

namespace ReleaseGateway.Releases.Pipeline;

/// <summary>
/// The durable job that advances one request through the pipeline (Quartz, ADO job store; ADR 0019). One job key per
/// request, so a request is never worked on twice at once anywhere in the cluster; re-fired after a crash with
/// <c>Recovering</c> set, it continues from the recorded state (see <see cref="ReleasePipeline"/>).
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class AdvanceReleaseJob(ReleasePipeline pipeline, ILogger<AdvanceReleaseJob> logger) : IJob
{
    public const string RequestIdKey = "requestId";

    public static string KeyFor(Guid requestId) => $"release-{requestId:N}";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var requestId = Guid.Parse(context.MergedJobDataMap.GetString(RequestIdKey)!);
        if (context.Recovering) Recovering(requestId);
        try
        {
            var state = await pipeline.RunAsync(requestId, cancellationToken);
            Stopped(requestId, state);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not re-fired: a failure the pipeline could not record as a block is left for the dispatcher's next look.
            Failed(e, requestId);
        }
    }

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "Request {RequestId}: recovering a pipeline job interrupted by a stopped process")]
    private partial void Recovering(Guid requestId);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Information, Message = "Request {RequestId}: pipeline job stopped in state {State}")]
    private partial void Stopped(Guid requestId, string state);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Error, Message = "Request {RequestId}: pipeline job failed")]
    private partial void Failed(Exception e, Guid requestId);
}

/// <summary>The recurring sweep that expires published releases past their expiry (downloads already stop at expiry without it).</summary>
[DisallowConcurrentExecution]
public sealed class ExpireReleasesJob(ReleaseLifecycle lifecycle) : IJob
{
    public const string Key = "expire-releases";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await lifecycle.ExpireDueAsync(cancellationToken);
}
