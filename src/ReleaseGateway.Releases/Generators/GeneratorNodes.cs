using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ReleaseGateway.EventStore.Blobs;
using ReleaseGateway.Releases.Jobs;

namespace ReleaseGateway.Releases.Generators;

/// <summary>
/// Which generators the deployment can run (ADR 0043): every node that runs jobs writes the generators it has installed to
/// a small blob under <c>nodes/</c> every <see cref="Beat"/> (the shared store on a cluster, the data folder on one node)
/// and removes it when it stops. The dispatcher routes a plug-in generator's job to the nodes that serve it only while
/// one of them is alive; otherwise the job runs anywhere and the pipeline blocks the attempt, saying why.
/// </summary>
public sealed partial class GeneratorNodes(GatewayStorage storage, ReleaseJobsSettings jobs, TimeProvider time, ILogger<GeneratorNodes> logger)
    : BackgroundService
{
    public static readonly TimeSpan Beat = TimeSpan.FromSeconds(5);
    private const string Folder = "nodes";
    private readonly string name = $"{Folder}/{Sanitize(Environment.MachineName)}-{Environment.ProcessId}-{Guid.NewGuid():N}.json";

    /// <summary>True when this node, or a node seen within three beats, has <paramref name="generator"/> installed.</summary>
    public bool AnyNodeRuns(GeneratorEntry generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (generator.IsInstalled && jobs.Enabled) return true;
        var now = time.GetUtcNow();
        foreach (var blob in storage.Blobs.List(Folder))
        {
            try
            {
                using var stream = storage.Blobs.OpenRead($"{Folder}/{blob}");
                if (stream is null) continue;
                var node = JsonSerializer.Deserialize<NodeGenerators>(stream);
                if (node is not null && now - node.SeenAt < 3 * Beat && node.Generators.Contains(generator.Name)) return true;
            }
            catch (JsonException)
            {
                // A blob being replaced, or not ours: it says nothing about this generator.
            }
        }
        return false;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var installed = GeneratorRegistry.Default.Entries.Where(e => e.IsInstalled).Select(e => e.Name).ToArray();
        Serves(installed.Length == 0 ? "none" : string.Join(", ", installed), jobs.Enabled);
        if (!jobs.Enabled) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                storage.Blobs.Put(name, JsonSerializer.SerializeToUtf8Bytes(new NodeGenerators(installed, time.GetUtcNow())));
                await Task.Delay(Beat, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                BeatFailed(e);
                await Task.Delay(Beat, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!jobs.Enabled) return;
        try
        {
            storage.Blobs.Delete(name);
        }
        catch (Exception e)
        {
            // The record ages out after three beats anyway; a shutdown must not fail over it.
            BeatFailed(e);
        }
    }

    private static string Sanitize(string text) => string.Concat(text.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) is { Length: > 0 } s ? s : "node";

    private sealed record NodeGenerators(string[] Generators, DateTimeOffset SeenAt);

    [LoggerMessage(EventId = 3120, Level = LogLevel.Information, Message = "Generators installed on this node: {Generators} (runs jobs: {RunsJobs})")]
    private partial void Serves(string generators, bool runsJobs);

    [LoggerMessage(EventId = 3121, Level = LogLevel.Warning, Message = "Could not record this node's generators; retrying")]
    private partial void BeatFailed(Exception e);
}
