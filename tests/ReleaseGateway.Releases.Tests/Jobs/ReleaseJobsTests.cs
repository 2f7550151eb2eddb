using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ReleaseGateway.EventStore;
using ReleaseGateway.EventStore.Verification;
using ReleaseGateway.Releases.Jobs;
using ReleaseGateway.Testing;

namespace ReleaseGateway.Releases.Tests.Jobs;

/// <summary>The job engine on a real host and a real database, on both backends (ADR 0019).</summary>
public abstract class ReleaseJobsTests : IAsyncLifetime
{
    private readonly List<IHost> _hosts = [];
    protected readonly JobProbe Probe = new();

    protected abstract Task<JobDatabase> NewDatabaseAsync();

    protected async Task<IHost> StartHostAsync(JobDatabase database, string name, bool enabled = true, int workers = 1)
    {
        var host = await JobHost.StartAsync(database, Probe, name, enabled, workers);
        _hosts.Add(host);
        return host;
    }

    protected async Task StopAsync(IHost host)
    {
        _hosts.Remove(host);
        await host.StopAsync();
        host.Dispose();
    }

    protected static Dictionary<string, string> Data(params (string Key, string Value)[] pairs) => pairs.ToDictionary(p => p.Key, p => p.Value);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts.ToList()) await StopAsync(host);
    }

    [Fact]
    public async Task Given_EnqueuedJob_When_AWorkerRunsIt_Then_ItRunsOnceWithItsDataInAScopeOfItsOwn()
    {
        var host = await StartHostAsync(await NewDatabaseAsync(), "a");

        Assert.True(await host.Jobs().EnqueueAsync<ProbeJob>("generate-1", Data(("requestId", "r-1"), ("seed", "42"))));
        Assert.True(await host.Jobs().EnqueueAsync<ProbeJob>("generate-2", Data(("requestId", "r-2"))));

        var runs = await Probe.WaitForAsync(r => r.Count == 2, "both jobs ran");
        var first = Assert.Single(runs, r => r.Key == "generate-1");
        Assert.Equal(new Dictionary<string, string> { ["requestId"] = "r-1", ["seed"] = "42" }, first.Data);
        Assert.False(first.Recovering);
        Assert.NotEqual(first.ScopeId, Assert.Single(runs, r => r.Key == "generate-2").ScopeId);
        await Eventually.TrueAsync(async () => await host.Jobs().GetStatusAsync("generate-1") is null, "the ended job is gone");
    }

    [Fact]
    public async Task Given_JobsRunning_When_TheDatabaseIsInspected_Then_TheyLiveInTheEventStoreDatabaseAndWriteBesideOtherWriters()
    {
        var database = await NewDatabaseAsync();
        var host = await StartHostAsync(database, "a", workers: 4);
        var store = host.Services.GetRequiredService<IEventStore>();
        var streams = Enumerable.Range(0, 8).Select(_ => Guid.CreateVersion7()).ToList();

        foreach (var (stream, i) in streams.Select((s, i) => (s, i)))
            Assert.True(await host.Jobs().EnqueueAsync<AppendingProbeJob>($"append-{i}", Data(("stream", stream.ToString()), ("count", "10"))));
        var own = Guid.CreateVersion7();
        for (var i = 0; i < 40; i++)
        {
            await using var session = store.OpenSession(new EventMetadata("test", "System", "test"));
            if (i == 0) session.StartStream(own, new ProbeAppended(i));
            else session.Append(own, i, new ProbeAppended(i));
            await session.SaveChangesAsync();
        }

        await Eventually.TrueAsync(async () => (await Task.WhenAll(streams.Select(s => store.FetchStreamAsync(s)))).All(e => e.Count == 10),
            "every job wrote its ten events");
        Assert.Equal(40 + 8 * 10, (await store.ReadHeadAsync()).Position);
        Assert.True((await ChainVerifier.VerifyStoreAsync(store)).Intact);
        Assert.Contains("qrtz_fired_triggers", await database.QuartzTablesAsync());
    }

    [Fact]
    public async Task Given_WaitingJobKey_When_EnqueuedAgainFromTwoProcesses_Then_NothingMoreIsStored()
    {
        var database = await NewDatabaseAsync();
        // Neither runs jobs, so the first job stays waiting while the others try to store the same key.
        var a = await StartHostAsync(database, "a", enabled: false);
        var b = await StartHostAsync(database, "b", enabled: false);

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            (i % 2 == 0 ? a : b).Jobs().EnqueueAsync<ProbeJob>("evaluate-1", Data(("attempt", i.ToString(System.Globalization.CultureInfo.InvariantCulture))))));

        Assert.Single(results, stored => stored);
        var status = await a.Jobs().GetStatusAsync("evaluate-1");
        Assert.NotNull(status);
        Assert.Equal(JobRunState.Waiting, status.State);
        Assert.Null(status.InstanceId);
    }

    [Fact]
    public async Task Given_JobEnqueuedByAProcessRunningNoJobs_When_AWorkerStartsLater_Then_ItRunsTheJob()
    {
        var database = await NewDatabaseAsync();
        var scheduler = await StartHostAsync(database, "web", enabled: false);
        Assert.True(await scheduler.Jobs().EnqueueAsync<ProbeJob>("generate-1", Data(("requestId", "r-1"))));
        await StopAsync(scheduler);

        await StartHostAsync(database, "worker");

        var run = Assert.Single(await Probe.WaitForAsync(r => r.Count == 1, "the stored job ran"));
        Assert.Equal(("generate-1", "worker", "r-1"), (run.Key, run.Host, run.Data["requestId"]));
    }

    [Fact]
    public async Task Given_FailingJob_When_Run_Then_ItRunsOnceEndsAndIsCountedAsFailed()
    {
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument is { Meter.Name: "ReleaseGateway", Name: "rgw.jobs.executions" }) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            var t = tags.ToArray().ToDictionary(x => x.Key, x => x.Value?.ToString());
            if (t["outcome"] == "failed") failures.Add(t["job"]!);
        });
        listener.Start();
        var host = await StartHostAsync(await NewDatabaseAsync(), "a");

        Assert.True(await host.Jobs().EnqueueAsync<ProbeJob>("generate-1", Data(("mode", "throw"))));

        await Eventually.TrueAsync(async () => Probe.Runs.Count == 1 && await host.Jobs().GetStatusAsync("generate-1") is null, "the failed job ended");
        Assert.True(await host.Jobs().EnqueueAsync<ProbeJob>("after", Data()));
        await Probe.WaitForAsync(r => r.Any(x => x.Key == "after"), "a later job ran");
        Assert.Single(Probe.Runs, r => r.Key == "generate-1");
        Assert.Contains(nameof(ProbeJob), failures);
    }

    [Fact]
    public async Task Given_RunningJob_When_ItsStatusIsRead_Then_ItShowsItsInstanceAndProgress()
    {
        var host = await StartHostAsync(await NewDatabaseAsync(), "a");
        Assert.True(await host.Jobs().EnqueueAsync<ProbeJob>("generate-1", Data(("mode", "block"))));
        await Probe.WaitForAsync(r => r.Count == 1, "the job started");

        JobStatus? status = null;
        await Eventually.TrueAsync(async () => (status = await host.Jobs().GetStatusAsync("generate-1")) is { Progress: 40 }, "progress was written");

        Assert.Equal(JobRunState.Running, status!.State);
        Assert.Equal("halfway", status.ProgressMessage);
        Assert.False(string.IsNullOrEmpty(status.InstanceId));
        Probe.Release("generate-1");
        await Eventually.TrueAsync(async () => await host.Jobs().GetStatusAsync("generate-1") is null, "the job ended");
    }

    [Fact]
    public async Task Given_RecurringJob_When_EnsuredThreeTimes_Then_ItIsStoredOnceAndKeepsRunning()
    {
        var database = await NewDatabaseAsync();
        var host = await StartHostAsync(database, "a");

        await host.Jobs().EnsureRecurringAsync<RecurringProbeJob>("expiry-sweep", TimeSpan.FromSeconds(1));
        await host.Jobs().EnsureRecurringAsync<RecurringProbeJob>("expiry-sweep", TimeSpan.FromSeconds(1));

        await Probe.WaitForAsync(r => r.Count(x => x.Key == "expiry-sweep") >= 3, "three sweeps ran");
        var status = await host.Jobs().GetStatusAsync("expiry-sweep");
        Assert.NotNull(status?.NextRunUtc);
        await host.Jobs().EnsureRecurringAsync<RecurringProbeJob>("expiry-sweep", TimeSpan.FromHours(1));
        await Eventually.TrueAsync(async () => await host.Jobs().GetStatusAsync("expiry-sweep") is { NextRunUtc: { } next } && next > DateTimeOffset.UtcNow.AddMinutes(30),
            "the changed interval moved the next run");
        // Three calls, one stored job with one trigger (the database is this test's own).
        Assert.Equal(1, await database.QuartzRowsAsync("qrtz_job_details"));
        Assert.Equal(1, await database.QuartzRowsAsync("qrtz_triggers"));
    }

    [Fact]
    public async Task Given_JobInterruptedByShutdown_When_AnotherProcessStarts_Then_ItIsHandedBackAndRunAgainAsARecovery()
    {
        var database = await NewDatabaseAsync();
        var first = await StartHostAsync(database, "first");
        Assert.True(await first.Jobs().EnqueueAsync<ProbeJob>("generate-1", Data(("mode", "block"))));
        await Probe.WaitForAsync(r => r.Count == 1, "the job started on the first process");

        await StopAsync(first);
        await StartHostAsync(database, "second");

        var runs = await Probe.WaitForAsync(r => r.Count == 2, "the job ran again");
        Assert.Equal([("first", false), ("second", true)], runs.Select(r => (r.Host, r.Recovering)));
    }

    [Fact]
    public async Task Given_JobInFlightWhenItsProcessDied_When_AnotherProcessStarts_Then_ItRunsAgainOnceAsARecovery()
    {
        var database = await NewDatabaseAsync();
        var doomed = await StartHostAsync(database, "doomed", workers: 2);
        Assert.True(await doomed.Jobs().EnqueueAsync<ProbeJob>("generate-1", Data(("mode", "block"), ("requestId", "r-1"))));
        Assert.True(await doomed.Jobs().EnqueueAsync<ProbeJob>("waiting-1", Data(("requestId", "r-2"))));
        await Probe.WaitForAsync(r => r.Any(x => x.Key == "generate-1"), "the job started");
        await Eventually.TrueAsync(async () => await doomed.Jobs().GetStatusAsync("waiting-1") is null, "the other job ended");

        // The database as kill -9 leaves it now; the restarted gateway (PostgreSQL: a surviving node) opens it.
        var afterCrash = await database.SnapshotAsync();
        await StartHostAsync(afterCrash, "restarted");

        var recovered = (await Probe.WaitForAsync(r => r.Any(x => x.Host == "restarted"), "the in-flight job was re-fired"))
            .Where(r => r.Host == "restarted").ToList();
        var run = Assert.Single(recovered);
        Assert.Equal(("generate-1", true, "r-1"), (run.Key, run.Recovering, run.Data["requestId"]));
        Probe.Release("generate-1");
        var survivor = _hosts.Last();
        await Eventually.TrueAsync(async () => await survivor.Jobs().GetStatusAsync("generate-1") is null, "the recovery ended");
        Assert.Single(Probe.Runs, r => r.Host == "restarted");
    }
}

public sealed class SqliteReleaseJobsTests : ReleaseJobsTests
{
    protected override Task<JobDatabase> NewDatabaseAsync() => Task.FromResult(JobDatabase.NewSqlite());

    [Fact]
    public async Task Given_ProcessRunningJobsOnASqliteFile_When_ASecondOneStarts_Then_Refused()
    {
        var database = JobDatabase.NewSqlite();
        await StartHostAsync(database, "a");

        var second = JobHost.Build(database, Probe, "b");
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => second.StartAsync());
        Assert.Contains("ReleaseGateway:Jobs:Enabled=false", refused.Message);
        second.Dispose();
    }
}

public sealed class PostgresReleaseJobsTests : ReleaseJobsTests
{
    protected override Task<JobDatabase> NewDatabaseAsync() => JobDatabase.NewPostgresAsync();

    [Fact]
    public async Task Given_TwoNodesStartedTogether_When_TwentyJobsAreEnqueued_Then_EachRunsExactlyOnce()
    {
        var database = await NewDatabaseAsync();
        var nodes = await Task.WhenAll(StartHostAsync(database, "a", workers: 2), StartHostAsync(database, "b", workers: 2));

        var keys = Enumerable.Range(0, 20).Select(i => $"generate-{i}").ToList();
        var stored = await Task.WhenAll(keys.Select((k, i) => nodes[i % 2].Jobs().EnqueueAsync<ProbeJob>(k, Data())));

        Assert.All(stored, Assert.True);
        // A key is gone once its job has ended, and a second firing of one job could only overlap the first.
        await Eventually.TrueAsync(async () => (await Task.WhenAll(keys.Select(k => nodes[0].Jobs().GetStatusAsync(k)))).All(s => s is null),
            "every job ended");
        Assert.Equal(keys.Order(), Probe.Runs.Select(r => r.Key).Order());
    }

    [Fact]
    public async Task Given_TwoNodes_When_JobsAreEnqueued_Then_BothShareTheWork()
    {
        var database = await NewDatabaseAsync();
        var a = await StartHostAsync(database, "a");
        await StartHostAsync(database, "b");

        Assert.True(await a.Jobs().EnqueueAsync<ProbeJob>("generate-1", Data(("mode", "block"))));
        Assert.True(await a.Jobs().EnqueueAsync<ProbeJob>("generate-2", Data(("mode", "block"))));

        // One worker each: both jobs can only be running at once on two different nodes.
        var runs = await Probe.WaitForAsync(r => r.Count == 2, "both jobs are running");
        Assert.Equal(["a", "b"], runs.Select(r => r.Host).Order());
        var statuses = await Task.WhenAll(a.Jobs().GetStatusAsync("generate-1"), a.Jobs().GetStatusAsync("generate-2"));
        Assert.NotEqual(statuses[0]!.InstanceId, statuses[1]!.InstanceId);
        Probe.Release("generate-1");
        Probe.Release("generate-2");
    }
}
