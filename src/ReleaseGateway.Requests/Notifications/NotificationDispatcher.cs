using ReleaseGateway.EventStore;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;
using ReleaseGateway.Requests.Committees;
using ReleaseGateway.Requests.Datasets;

namespace ReleaseGateway.Requests.Notifications;

/// <summary>Sends one e-mail (SMTP in the gateway, <c>SmtpNotificationSender</c>); throws when the server refuses or is unreachable.</summary>
public interface INotificationSender
{
    /// <summary>Whether sending is configured; when not, items are still stored and listed, nothing is sent.</summary>
    bool Enabled { get; }
    Task SendAsync(string address, string subject, string body, CancellationToken ct);
}

/// <summary>Who people are for notifications: their e-mail address, and who holds a role (the default committee).</summary>
public interface INotificationDirectory
{
    Task<string?> AddressOfAsync(string userId, CancellationToken ct);
    Task<IReadOnlyList<string>> HoldersOfAsync(string role, CancellationToken ct);
}

public sealed record NotificationDispatchOptions(TimeSpan Lease, TimeSpan FirstRetry, int MaxAttempts)
{
    public static NotificationDispatchOptions Default { get; } = new(TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(30), 8);

    /// <summary>Exponential backoff: the first retry after <see cref="FirstRetry"/>, doubling, at most a day.</summary>
    public TimeSpan Backoff(int attempt) => TimeSpan.FromTicks(Math.Min(TimeSpan.TicksPerDay, FirstRetry.Ticks * (1L << Math.Min(attempt - 1, 20))));
}

/// <summary>
/// Reads the log after its checkpoint, stores the notifications the events give (outbox), then sends what is due, outside
/// any command's transaction. Safe with several gateway processes on one database: storing is idempotent and every attempt
/// is claimed at the item's stream version (ADR 0049). One pass per call; the host runs it on a timer.
/// </summary>
public sealed class NotificationDispatcher(IEventStore store, INotificationSender sender, INotificationDirectory directory, TimeProvider time,
    NotificationDispatchOptions options, string dispatcherId)
{
    private readonly NotificationOutbox _outbox = new(store);
    private long _checkpoint;

    public long Checkpoint => _checkpoint;

    public async Task RunOnceAsync(CancellationToken ct)
    {
        await CollectAsync(ct);
        if (sender.Enabled) await SendDueAsync(ct);
    }

    /// <summary>Stores the notifications of every event after the checkpoint. The checkpoint lives in memory: after a restart the log is read again and the unique key drops what is stored.</summary>
    public async Task CollectAsync(CancellationToken ct)
    {
        CommitteeRoster? roster = null;
        await foreach (var e in store.ReadAllAsync(_checkpoint + 1, ct))
        {
            if (e.Data is not null && IsNotifying(e.Data))
            {
                var request = await store.LoadAsync<AccessRequestDetails>(e.Data is IRequestNotice notice ? notice.RequestId : e.StreamId, ct);
                if (request is not null)
                {
                    roster ??= await CommitteeRoster.LoadAsync(store, ct);
                    var dataset = await store.LoadAsync<DatasetDetails>(request.DatasetId, ct);
                    var subject = new NotificationSubject(request.Id, request.Terms.Title, request.RequesterId,
                        dataset is null ? [] : [dataset.RegisteredBy], roster.For(request.CommitteeId));
                    var holders = await directory.HoldersOfAsync(Workflows.WorkflowRoles.CommitteeMember, ct);
                    foreach (var item in NotificationRules.Derive(e, subject, _ => holders)) await _outbox.EnqueueAsync(item, ct);
                }
            }
            _checkpoint = e.Position;
        }
    }

    private static bool IsNotifying(object data) => data is AccessRequestSubmitted or AccessRequestResubmitted or AccessRequestAcceptedForReview
        or AccessRequestAdvanced or AccessRequestChangesRequested or AccessRequestApproved or AccessRequestRejected or IRequestNotice;

    /// <summary>Sends every due item: at once, or in a daily digest once its day is over, as the recipient prefers.</summary>
    public async Task SendDueAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var due = (await _outbox.AllAsync(ct)).Where(n => n.IsDue(now, options.MaxAttempts)).ToList();
        var preferences = (await store.QueryAsync<NotificationPreferences>(ct)).ToDictionary(p => p.UserId, StringComparer.Ordinal);
        foreach (var byRecipient in due.GroupBy(n => n.Item.RecipientId, StringComparer.Ordinal))
        {
            var prefs = preferences.GetValueOrDefault(byRecipient.Key) ?? NotificationPreferences.Default(byRecipient.Key);
            var address = prefs.Email ? await directory.AddressOfAsync(byRecipient.Key, ct) : null;
            if (address is null)
            {
                var reason = prefs.Email ? "no e-mail address" : "e-mail switched off";
                foreach (var n in byRecipient) await _outbox.TryAppendAsync(n, new NotificationSkipped(n.Item.Key, reason, now), ct);
                continue;
            }
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            var batches = prefs.Delivery == DeliveryModes.Daily
                ? byRecipient.Where(n => DateOnly.FromDateTime(n.Item.At.UtcDateTime) < today)
                    .GroupBy(n => DateOnly.FromDateTime(n.Item.At.UtcDateTime)).Select(g => g.ToList())
                : byRecipient.OrderBy(n => n.Item.Position).Select(n => new List<NotificationDetails> { n });
            foreach (var batch in batches) await SendBatchAsync(batch, prefs.Delivery, address, now, ct);
        }
    }

    private async Task SendBatchAsync(List<NotificationDetails> batch, string delivery, string address, DateTimeOffset now, CancellationToken ct)
    {
        var claimed = new List<NotificationDetails>();
        foreach (var n in batch)
        {
            var claim = new NotificationClaimed(n.Item.Key, dispatcherId, n.Attempts + 1, now + options.Lease);
            if (await _outbox.TryAppendAsync(n, claim, ct))
                claimed.Add(NotificationDetails.Evolve(n, claim, n.Id)!);
        }
        if (claimed.Count == 0) return;
        var items = claimed.Select(c => c.Item).ToList();
        var message = delivery == DeliveryModes.Daily ? NotificationDigest.Daily(items).Single() : NotificationDigest.Immediate(items).Single();
        try
        {
            await sender.SendAsync(address, message.Subject, message.Body, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            foreach (var c in claimed)
                await _outbox.TryAppendAsync(c, new NotificationSendFailed(c.Item.Key, c.Attempts, ex.GetType().Name + ": " + ex.Message, now + options.Backoff(c.Attempts)), ct);
            return;
        }
        foreach (var c in claimed) await _outbox.TryAppendAsync(c, new NotificationSent(c.Item.Key, c.Attempts, time.GetUtcNow()), ct);
    }
}
