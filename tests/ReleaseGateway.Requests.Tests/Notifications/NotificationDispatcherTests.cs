using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;
using ReleaseGateway.Requests.Committees;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Notifications;
using ReleaseGateway.Testing;
using static ReleaseGateway.Requests.Tests.Fixtures;

namespace ReleaseGateway.Requests.Tests.Notifications;

/// <summary>The outbox and its dispatcher against a real store and a real SMTP listener on loopback (ADR 0049).</summary>
public sealed class NotificationDispatcherTests : IAsyncLifetime
{
    private static readonly Guid CommitteeId = Guid.Parse("0193a0a0-0000-7000-8000-0000000000c1");
    private readonly EventStoreSettings _settings = new(Path.Combine(Path.GetTempPath(), "rgw-notify-tests", Guid.NewGuid().ToString("N")), null);
    private const string Schema = """{"columns": [{"name": "age", "type": "integer", "min": 0, "max": 9}]}""";
    private SmtpSink _sink = null!;

    private sealed class Directory : INotificationDirectory
    {
        public Task<string?> AddressOfAsync(string userId, CancellationToken ct) => Task.FromResult<string?>($"{userId[..8]}@example.org");
        public Task<IReadOnlyList<string>> HoldersOfAsync(string role, CancellationToken ct) => Task.FromResult<IReadOnlyList<string>>([MemberC.Id]);
    }

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    public async Task InitializeAsync() => _sink = await SmtpSink.StartNewAsync();

    public async Task DisposeAsync() => await _sink.DisposeAsync();

    private IEventStore Open(TimeProvider? time = null)
    {
        var o = new EventStoreOptions();
        foreach (var t in AccessRequestEventTypes.All.Concat(DatasetEventTypes.All).Concat(CommitteeEventTypes.All).Concat(NotificationEventTypes.All)
                     .Append(typeof(NotificationPreferencesSet))) o.Events.Register(t);
        o.Projections.Add(new AccessRequestDetailsProjection());
        o.Projections.Add(new DatasetDetailsProjection());
        o.Projections.Add(new CommitteeDetailsProjection());
        o.Projections.Add(new NotificationDetailsProjection());
        o.Projections.Add(new NotificationPreferencesProjection());
        return EventStoreFactory.Create(_settings, o, time ?? TimeProvider.System);
    }

    private NotificationDispatcher Dispatcher(IEventStore store, TimeProvider time, string id = "node-1") =>
        new(store, new SmtpNotificationSender(new SmtpSettings("127.0.0.1", _sink.Port, "gateway@example.org")), new Directory(), time,
            NotificationDispatchOptions.Default, id);

    private static async Task AppendAsync(IEventStore store, Actor actor, Action<IEventSession> stage)
    {
        await using var s = store.OpenSession(new EventMetadata(actor.Id, actor.Roles.First(), "test"));
        stage(s);
        await s.SaveChangesAsync();
    }

    /// <summary>A dataset with its own committee (A and B), a request on it submitted and accepted for review.</summary>
    private static async Task SeedAsync(IEventStore store)
    {
        await AppendAsync(store, Officer, s => s.StartStream(CommitteeId, new CommitteeFormed(CommitteeId, "oncology", "Oncology DAC", null, "reduces-seats", Officer.Id, Now),
            new CommitteeMemberAdded(CommitteeId, MemberA.Id, true, Officer.Id, Now), new CommitteeMemberAdded(CommitteeId, MemberB.Id, false, Officer.Id, Now)));
        await AppendAsync(store, Steward, s => s.StartStream(DatasetId,
            new DatasetRegistered(DatasetId, "cohort", "d", Steward.Id, Schema, "default", Steward.Id, Now, CommitteeId)));
        await AppendAsync(store, Researcher, s => s.StartStream(RequestId, Submitted() with { CommitteeId = CommitteeId }));
        await AppendAsync(store, Steward, s => s.Append(RequestId, 1, new AccessRequestAcceptedForReview(RequestId, "CommitteeReview", Steward.Id, Now)));
    }

    [Fact]
    public async Task Given_ASubmissionAndAReview_When_Dispatched_Then_TheStewardAndTheCommitteeGetOneMailEach()
    {
        var store = Open();
        await SeedAsync(store);
        await Dispatcher(store, new Clock(Now)).RunOnceAsync(CancellationToken.None);

        var to = _sink.Received.SelectMany(m => m.To).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(new[] { MemberA.Id[..8], MemberB.Id[..8], Steward.Id[..8] }.Select(p => p + "@example.org").Order(StringComparer.Ordinal), to);
        Assert.All(await new NotificationOutbox(store).AllAsync(CancellationToken.None), n => Assert.Equal(NotificationStatus.Sent, n.Status));
    }

    [Fact]
    public async Task Given_TwoDispatchersAndARestart_When_Dispatched_Then_NoMailIsSentTwice()
    {
        var store = Open();
        await SeedAsync(store);
        var ct = CancellationToken.None;
        await Task.WhenAll(Dispatcher(store, new Clock(Now), "node-1").RunOnceAsync(ct), Dispatcher(Open(), new Clock(Now), "node-2").RunOnceAsync(ct));
        await Dispatcher(Open(), new Clock(Now.AddMinutes(10)), "node-1-restarted").RunOnceAsync(ct);

        Assert.Equal(3, _sink.Received.Count);
        Assert.Equal(3, (await new NotificationOutbox(store).AllAsync(ct)).Count);
    }

    [Fact]
    public async Task Given_TheMailServerIsDown_When_DispatchedAgainAfterTheBackoff_Then_TheMailArrives()
    {
        var store = Open();
        await SeedAsync(store);
        var ct = CancellationToken.None;
        await _sink.StopAsync();
        var clock = new Clock(Now);
        var dispatcher = Dispatcher(store, clock);
        await dispatcher.RunOnceAsync(ct);
        var failed = await new NotificationOutbox(store).AllAsync(ct);
        Assert.All(failed, n => Assert.Equal(NotificationStatus.Failed, n.Status));

        await _sink.StartAsync();
        await dispatcher.RunOnceAsync(ct);
        Assert.Empty(_sink.Received); // not before the backoff
        clock.Now = Now + NotificationDispatchOptions.Default.Backoff(1);
        await dispatcher.RunOnceAsync(ct);

        Assert.Equal(3, _sink.Received.Count);
        Assert.All(await new NotificationOutbox(store).AllAsync(ct), n => Assert.Equal((NotificationStatus.Sent, 2), (n.Status, n.Attempts)));
    }

    [Fact]
    public async Task Given_PreferencesOffAndDaily_When_Dispatched_Then_NoMailForOneAndOneDigestNextDayForTheOther()
    {
        var clock = new Clock(Now);
        var store = Open(clock);
        var ct = CancellationToken.None;
        await AppendAsync(store, MemberA, s => s.StartStream(NotificationPreferences.StreamOf(MemberA.Id), new NotificationPreferencesSet(MemberA.Id, false, DeliveryModes.Immediate, Now)));
        await AppendAsync(store, MemberB, s => s.StartStream(NotificationPreferences.StreamOf(MemberB.Id), new NotificationPreferencesSet(MemberB.Id, true, DeliveryModes.Daily, Now)));
        await SeedAsync(store);
        await AppendAsync(store, Researcher, s => s.Append(RequestId, 2, new AccessRequestResubmitted(RequestId, "CommitteeReview", Submitted().Terms, Researcher.Id, Now)));
        var dispatcher = Dispatcher(store, clock);
        await dispatcher.RunOnceAsync(ct);
        Assert.Equal([Steward.Id[..8] + "@example.org"], _sink.Received.SelectMany(m => m.To));

        clock.Now = Now.AddDays(1);
        await dispatcher.RunOnceAsync(ct);
        var digest = Assert.Single(_sink.Received, m => m.To.Contains(MemberB.Id[..8] + "@example.org"));
        Assert.Contains("2 notification(s)", digest.Subject);
        Assert.DoesNotContain(_sink.Received, m => m.To.Contains(MemberA.Id[..8] + "@example.org"));
        var items = await new NotificationOutbox(store).OfAsync(MemberA.Id, ct);
        Assert.All(items, n => Assert.Equal(NotificationStatus.Skipped, n.Status));
        Assert.Equal(2, items.Count);
    }

    [Fact]
    public async Task Given_AMemberWhoTakesOnlyReviewsByDailyDigest_When_DispatchedTwice_Then_OneDigestWithTheReviewsAndTheRestSkippedOnce()
    {
        var clock = new Clock(Now);
        var store = Open(clock);
        var ct = CancellationToken.None;
        await AppendAsync(store, MemberA, s => s.StartStream(NotificationPreferences.StreamOf(MemberA.Id),
            new NotificationPreferencesSet(MemberA.Id, true, DeliveryModes.Daily, Now, [NotificationKinds.Review])));
        await AppendAsync(store, Steward, s => s.StartStream(NotificationPreferences.StreamOf(Steward.Id),
            new NotificationPreferencesSet(Steward.Id, true, DeliveryModes.Immediate, Now, [NotificationKinds.Decision])));
        await SeedAsync(store);
        await AppendAsync(store, Researcher, s => s.Append(RequestId, 2, new AccessRequestResubmitted(RequestId, "CommitteeReview", Submitted().Terms, Researcher.Id, Now)));
        await AppendAsync(store, Pipeline, s => s.Append(RequestId, 3, new AccessRequestAdvanced(RequestId, "block", "CommitteeReview", "Blocked", "gates", Pipeline.Id, Now)));
        var dispatcher = Dispatcher(store, clock);
        await dispatcher.RunOnceAsync(ct);
        // The steward takes only decisions by e-mail: the screening item is listed, skipped, never sent.
        Assert.DoesNotContain(_sink.Received, m => m.To.Contains(Steward.Id[..8] + "@example.org"));
        Assert.Equal(NotificationStatus.Skipped, Assert.Single(await new NotificationOutbox(store).OfAsync(Steward.Id, ct)).Status);

        clock.Now = Now.AddDays(1);
        await dispatcher.RunOnceAsync(ct);
        await Dispatcher(Open(clock), clock, "node-2").RunOnceAsync(ct);
        var digest = Assert.Single(_sink.Received, m => m.To.Contains(MemberA.Id[..8] + "@example.org"));
        Assert.Contains("2 notification(s)", digest.Subject);
        Assert.DoesNotContain("blocked", digest.Data, StringComparison.OrdinalIgnoreCase);
        var items = await new NotificationOutbox(store).OfAsync(MemberA.Id, ct);
        Assert.Equal([(NotificationKinds.Blocked, NotificationStatus.Skipped), (NotificationKinds.Review, NotificationStatus.Sent), (NotificationKinds.Review, NotificationStatus.Sent)],
            items.Select(n => (n.Item.Kind!, n.Status)).Order().ToList());
        Assert.All(items, n => Assert.True(n.Attempts <= 1));
    }
}
