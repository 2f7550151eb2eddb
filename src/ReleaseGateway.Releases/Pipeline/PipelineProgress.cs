using System.Collections.Concurrent;
using System.Text.Json;
using ReleaseGateway.EventStore.Blobs;

namespace ReleaseGateway.Releases.Pipeline;

public sealed record LiveProgress(string Step, int Percent, string Stage, DateTimeOffset At);

/// <summary>
/// Fine-grained progress of the running steps, for the details endpoints. Not recorded as events: the read model
/// takes its coarse marks from the pipeline's own events (generation started, table generated, evaluated), which
/// every process and the audit see. On one node it lives in this process's memory; on shared storage (ADR 0041) it
/// is also written, at most once a second per attempt (and at every change of step or stage), to a small blob
/// <c>progress/{id}.json</c>, so that whichever node answers a request shows the progress of whichever node runs the
/// job. (A ReleaseProgressed event was declared once and never written; a store holding one would still read, as the
/// log keeps unknown types without a body.)
/// </summary>
public sealed class PipelineProgress
{
    private const string Folder = "progress";
    private static readonly TimeSpan WriteInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<Guid, LiveProgress> _live = new();
    private readonly ConcurrentDictionary<Guid, LiveProgress> _written = new();
    private readonly IBlobStore? _shared;

    /// <summary>Progress in this process's memory only (one node).</summary>
    public PipelineProgress()
    {
    }

    /// <summary>Progress every node sees, through <paramref name="shared"/>.</summary>
    public PipelineProgress(IBlobStore shared) => _shared = shared;

    public void Report(Guid releaseId, string step, double fraction, string stage, DateTimeOffset at)
    {
        var live = new LiveProgress(step, (int)Math.Clamp(Math.Floor(fraction * 100), 0, 100), stage, at);
        _live[releaseId] = live;
        if (_shared is null) return;
        if (_written.TryGetValue(releaseId, out var last) && last.Step == live.Step && last.Stage == live.Stage && at - last.At < WriteInterval) return;
        _written[releaseId] = live;
        _shared.Put(NameOf(releaseId), JsonSerializer.SerializeToUtf8Bytes(live));
    }

    public LiveProgress? Get(Guid releaseId)
    {
        if (_live.TryGetValue(releaseId, out var live) || _shared is null) return live;
        using var stored = _shared.OpenRead(NameOf(releaseId));
        return stored is null ? null : JsonSerializer.Deserialize<LiveProgress>(stored);
    }

    public void Clear(Guid releaseId)
    {
        _live.TryRemove(releaseId, out _);
        if (_shared is null) return;
        _written.TryRemove(releaseId, out _);
        _shared.Delete(NameOf(releaseId));
    }

    private static string NameOf(Guid releaseId) => $"{Folder}/{releaseId:N}.json";
}
