using System.Diagnostics;
using ReleaseGateway.EventStore;
using ReleaseGateway.EventStore.Verification;
using ReleaseGateway.Testing;

// Audit-log benchmark (issue 2 targets: PostgreSQL >= 2,000 events/s with 8 writers, SQLite >= 5,000 events/s
// with 1 writer, verify >= 200,000 events/s). Each append is its own session (one event, its own commit).
// The audit browser's queries (issue 9 target: a page in under 200 ms with 100,000 events, whichever filter, however deep).
// usage: dotnet run -c Release --project bench/ReleaseGateway.EventStore.Bench -- [appends-per-run] [verify-events] [query-events]
var appends = args.Length > 0 ? int.Parse(args[0]) : 20_000;
var verifyEvents = args.Length > 1 ? int.Parse(args[1]) : 1_000_000;
var queryEvents = args.Length > 2 ? int.Parse(args[2]) : 100_000;

Console.WriteLine($"# Audit log benchmark, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
Console.WriteLine("| backend | writers | events | events/s | p50 ms | p99 ms |");
Console.WriteLine("|---|---|---|---|---|---|");
var postgres = appends > 0 || queryEvents > 0 ? PostgresCluster.StartNew(durable: true) : null; // fsync on: commit latency as in production
foreach (var backend in appends > 0 ? new[] { "SQLite", "PostgreSQL" } : [])
foreach (var writers in new[] { 1, 8 })
{
    var settings = backend == "SQLite"
        ? new EventStoreSettings(Path.Combine(Path.GetTempPath(), $"rgw-bench-{Guid.NewGuid():N}"), null)
        : new EventStoreSettings(".", await postgres!.CreateDatabaseAsync($"bench_{writers}_{Guid.NewGuid():N}"[..30]));
    await using var store = (IAsyncDisposable)EventStoreFactory.Create(settings, Options(), TimeProvider.System);
    var (rate, p50, p99) = await AppendAsync((IEventStore)store, writers, appends);
    Console.WriteLine($"| {backend} | {writers} | {appends} | {rate:N0} | {p50:F2} | {p99:F2} |");
}

// Verify throughput over a large chain, built fast with big sessions (verification cost does not depend on how events were batched).
var verifySettings = new EventStoreSettings(Path.Combine(Path.GetTempPath(), $"rgw-bench-verify-{Guid.NewGuid():N}"), null);
await using (var big = (IAsyncDisposable)EventStoreFactory.Create(verifySettings, Options(), TimeProvider.System))
{
    var store = (IEventStore)big;
    const int perSession = 1_000;
    for (var written = 0; written < verifyEvents; written += perSession)
    {
        await using var session = store.OpenSession(new EventMetadata("bench", "System", "bench"));
        for (var i = 0; i < perSession; i++)
        {
            var id = Guid.CreateVersion7();
            session.StartStream(id, new BenchEvent(id, "request submitted for dataset demo with 12 columns", written + i));
        }
        await session.SaveChangesAsync();
    }
    var cpu = Environment.CpuUsage.TotalTime;
    var stopwatch = Stopwatch.StartNew();
    var result = await ChainVerifier.VerifyStoreAsync(store);
    stopwatch.Stop();
    cpu = Environment.CpuUsage.TotalTime - cpu;
    Console.WriteLine();
    Console.WriteLine($"verify (SQLite): {result.EventCount:N0} events in {stopwatch.Elapsed.TotalSeconds:F2} s wall = {result.EventCount / stopwatch.Elapsed.TotalSeconds:N0} events/s " +
                      $"({cpu.TotalSeconds:F2} s CPU), intact={result.Intact}");
}

// Audit queries: 1 stream in 100 of 100 events each, 20 actors, two event types (a dataset's streams hold a tenth of the log);
// each query runs five times and is judged by its median.
if (queryEvents > 0)
{
    Console.WriteLine();
    Console.WriteLine($"| backend | query over {queryEvents:N0} events | median ms | max ms |");
    Console.WriteLine("|---|---|---|---|");
    foreach (var backend in new[] { "SQLite", "PostgreSQL" })
    {
        var settings = backend == "SQLite"
            ? new EventStoreSettings(Path.Combine(Path.GetTempPath(), $"rgw-bench-query-{Guid.NewGuid():N}"), null)
            : new EventStoreSettings(".", await postgres!.CreateDatabaseAsync($"bench_query_{Guid.NewGuid():N}"[..30]));
        await using var owned = (IAsyncDisposable)EventStoreFactory.Create(settings, Options(), TimeProvider.System);
        var store = (IEventStore)owned;
        var streams = new List<Guid>();
        for (var batch = 0; batch < queryEvents / 1_000; batch++)
        {
            await using var session = store.OpenSession(new EventMetadata($"actor-{batch % 20}", "Researcher", $"corr-{batch}"));
            for (var s = 0; s < 10; s++)
            {
                var id = Guid.CreateVersion7();
                streams.Add(id);
                session.StartStream(id, [new BenchEvent(id, "created", 0), .. Enumerable.Range(1, 99).Select(i => new BenchRenamed(id, $"n{i}"))]);
            }
            await session.SaveChangesAsync();
        }
        var middle = (await store.QueryEventsAsync(new EventQuery { Before = queryEvents / 2 + 1, Limit = 1 })).Events.Single().Timestamp;
        var first = (await store.QueryEventsAsync(new EventQuery { Before = 2, Limit = 1 })).Events.Single().Timestamp;
        var now = DateTimeOffset.UtcNow.AddMinutes(1);
        (string Name, EventQuery Query)[] cases =
        [
            ("newest page", new EventQuery()),
            ("deep page", new EventQuery { Before = 1_000 }),
            ("one stream", new EventQuery { StreamIds = [streams[streams.Count / 2]] }),
            ("a dataset's streams (a tenth)", new EventQuery { StreamIds = [.. streams.Where((_, i) => i % 10 == 3)] }),
            ("one actor", new EventQuery { ActorId = "actor-7" }),
            ("a rare type", new EventQuery { EventTypes = [nameof(BenchEvent)] }),
            ("rare type, deep", new EventQuery { EventTypes = [nameof(BenchEvent)], Before = 500 }),
            ("narrow time range", new EventQuery { From = middle, Until = middle.AddTicks(10) }),
            ("wide time range", new EventQuery { From = first, Until = now }),
            ("wide time range, deep", new EventQuery { From = first, Until = now, Before = 1_000 }),
            ("actor and type", new EventQuery { ActorId = "actor-3", EventTypes = [nameof(BenchEvent)] }),
        ];
        foreach (var (name, query) in cases)
        {
            var times = new List<double>();
            for (var run = 0; run < 5; run++)
            {
                var watch = Stopwatch.StartNew();
                await store.QueryEventsAsync(query);
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
            Console.WriteLine($"| {backend} | {name} | {times.Order().ElementAt(2):F1} | {times.Max():F1} |");
        }
    }
}
return 0;

static EventStoreOptions Options()
{
    var options = new EventStoreOptions();
    options.Events.Register<BenchEvent>();
    options.Events.Register<BenchRenamed>();
    return options;
}

static async Task<(double Rate, double P50, double P99)> AppendAsync(IEventStore store, int writers, int total)
{
    await store.ReadHeadAsync(); // schema
    var latencies = new double[total];
    var next = -1;
    var stopwatch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < total)
        {
            var id = Guid.CreateVersion7();
            var started = Stopwatch.GetTimestamp();
            await using var session = store.OpenSession(new EventMetadata("bench", "System", "bench"));
            session.StartStream(id, new BenchEvent(id, "request submitted for dataset demo with 12 columns", i));
            await session.SaveChangesAsync();
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
    })));
    stopwatch.Stop();
    Array.Sort(latencies);
    return (total / stopwatch.Elapsed.TotalSeconds, latencies[total / 2], latencies[(int)(total * 0.99)]);
}

internal sealed record BenchEvent(Guid Id, string Text, int Sequence);

internal sealed record BenchRenamed(Guid Id, string Name);
