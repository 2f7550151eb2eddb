using System.Collections.Concurrent;

namespace ReleaseGateway.Releases.Pipeline;

public sealed record LiveProgress(string Step, int Percent, string Stage, DateTimeOffset At);

/// <summary>
/// Fine-grained progress of the steps this process is running, for the details endpoints. Not recorded as events:
/// the read model takes its coarse marks from the pipeline's own events (generation started, table generated,
/// evaluated), which every process and the audit see. (A ReleaseProgressed event was declared once and never
/// written; a store holding one would still read, as the log keeps unknown types without a body.)
/// </summary>
public sealed class PipelineProgress
{
    private readonly ConcurrentDictionary<Guid, LiveProgress> _live = new();

    public void Report(Guid releaseId, string step, double fraction, string stage, DateTimeOffset at) =>
        _live[releaseId] = new LiveProgress(step, (int)Math.Clamp(Math.Floor(fraction * 100), 0, 100), stage, at);

    public LiveProgress? Get(Guid releaseId) => _live.GetValueOrDefault(releaseId);

    public void Clear(Guid releaseId) => _live.TryRemove(releaseId, out _);
}
