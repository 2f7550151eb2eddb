using Microsoft.Extensions.Configuration;

namespace ReleaseGateway.Releases.Jobs;

/// <summary>
/// How this process takes part in the job engine (see docs/adr/0019-job-engine-quartz.md).
/// <list type="bullet">
/// <item><c>ReleaseGateway:Jobs:Enabled</c> (default true): false makes a process that schedules jobs but never runs one.</item>
/// <item><c>ReleaseGateway:Jobs:Workers</c> (default 1): jobs this process runs at once.</item>
/// <item><c>ReleaseGateway:Jobs:ClusterCheckinIntervalSeconds</c> (default 5): how often a PostgreSQL node says it is alive;
/// a node silent for twice that long is declared dead and its in-flight jobs are re-fired elsewhere.</item>
/// <item><c>ReleaseGateway:Jobs:IdleWaitSeconds</c> (default 5): how often an idle node looks for jobs another process enqueued.</item>
/// </list>
/// </summary>
public sealed record ReleaseJobsSettings(bool Enabled, int Workers, TimeSpan ClusterCheckinInterval, TimeSpan IdleWait)
{
    public static ReleaseJobsSettings FromConfiguration(IConfiguration configuration)
    {
        var section = configuration.GetSection("ReleaseGateway:Jobs");
        var workers = section.GetValue("Workers", 1);
        var checkin = section.GetValue("ClusterCheckinIntervalSeconds", 5.0);
        var idle = section.GetValue("IdleWaitSeconds", 5.0);
        if (workers < 1) throw new InvalidOperationException($"ReleaseGateway:Jobs:Workers must be at least 1 (was {workers}).");
        if (checkin <= 0) throw new InvalidOperationException($"ReleaseGateway:Jobs:ClusterCheckinIntervalSeconds must be positive (was {checkin}).");
        // Quartz refuses an idle wait under one second.
        if (idle < 1) throw new InvalidOperationException($"ReleaseGateway:Jobs:IdleWaitSeconds must be at least 1 (was {idle}).");
        return new ReleaseJobsSettings(section.GetValue("Enabled", true), workers, TimeSpan.FromSeconds(checkin), TimeSpan.FromSeconds(idle));
    }
}
