using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ReleaseGateway.Datasets.Generators;
using ReleaseGateway.EventStore;
using ReleaseGateway.Releases.Generators;
using ReleaseGateway.Releases.Jobs;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Releases.Pipeline;

/// <summary>
/// Turns the audit log into pipeline jobs: when a person moves a request into a state where the gateway acts next
/// (an approval, a compliance sign-off), it enqueues the request's job. At start-up it enqueues every request that is
/// waiting for the gateway, so nothing is lost if a process stopped between a decision and its job. Enqueueing is
/// idempotent (one job key per request); a request whose job is still running is retried on the next look.
/// </summary>
public sealed partial class PipelineDispatcher(IEventStore store, WorkflowCatalog workflows, IReleaseJobs jobs, GeneratorNodes nodes, TimeProvider time,
    ILogger<PipelineDispatcher> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pending = new HashSet<Guid>();
        long position;
        try
        {
            position = (await store.ReadHeadAsync(stoppingToken)).Position;
            foreach (var request in await store.QueryAsync<AccessRequestDetails>(stoppingToken))
                if (ReleasePipeline.NextStep(request.ToRequest(), workflows.Get(request.Workflow)) is not null) pending.Add(request.Id);
            await jobs.EnsureRecurringAsync<ExpireReleasesJob>(ExpireReleasesJob.Key, TimeSpan.FromMinutes(1), stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var e in store.ReadAllAsync(position + 1, stoppingToken))
                {
                    position = e.Position;
                    if (e.Data is AccessRequestApproved a) pending.Add(a.RequestId);
                    else if (e.Data is AccessRequestAdvanced v && e.Metadata.ActorId != ReleasePipeline.SystemActorId) pending.Add(v.RequestId);
                }
                foreach (var requestId in pending.ToList())
                    if (await DispatchAsync(requestId, stoppingToken)) pending.Remove(requestId);
                await Task.Delay(PollInterval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                DispatchFailed(e);
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
            }
        }
    }

    /// <summary>True when nothing more is to be done for the request here (enqueued, or no gateway step is due).</summary>
    private async Task<bool> DispatchAsync(Guid requestId, CancellationToken ct)
    {
        var request = await store.LoadAsync<AccessRequestDetails>(requestId, ct);
        if (request is null || ReleasePipeline.NextStep(request.ToRequest(), workflows.Get(request.Workflow)) is null) return true;
        var enqueued = await jobs.EnqueueAsync<AdvanceReleaseJob>(AdvanceReleaseJob.KeyFor(requestId),
            new Dictionary<string, string> { [AdvanceReleaseJob.RequestIdKey] = requestId.ToString() }, ct, ExecutionGroup(request));
        if (enqueued) Enqueued(requestId, request.State);
        return enqueued;
    }

    /// <summary>
    /// A plug-in generator's job goes to the nodes that have the plug-in while one is alive (ADR 0043); with none, any node
    /// takes it and the pipeline blocks the attempt, saying which plug-in is missing, instead of leaving it waiting unseen.
    /// </summary>
    private string? ExecutionGroup(AccessRequestDetails request)
    {
        var name = request.ToRequest().Terms.Generator ?? GeneratorCatalog.Default.Name;
        if (!GeneratorCatalog.IsKnown(name)) return null; // the pipeline refuses it, loudly, wherever it runs
        var generator = GeneratorRegistry.Default.Get(name);
        return generator.ExecutionGroup is { } group && nodes.AnyNodeRuns(generator) ? group : null;
    }

    [LoggerMessage(EventId = 3020, Level = LogLevel.Information, Message = "Request {RequestId} ({State}): pipeline job enqueued")]
    private partial void Enqueued(Guid requestId, string state);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Error, Message = "Pipeline dispatch failed; retrying")]
    private partial void DispatchFailed(Exception e);
}
