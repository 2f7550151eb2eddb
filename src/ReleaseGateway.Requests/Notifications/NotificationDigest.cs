namespace ReleaseGateway.Requests.Notifications;

/// <summary>One e-mail: a single notification sent at once, or a recipient's day of notifications in one digest.</summary>
public sealed record NotificationMessage(string RecipientId, string Subject, string Body, IReadOnlyList<string> Keys);

/// <summary>How a person's notifications become e-mails, by their preference (ADR 0049).</summary>
public static class NotificationDigest
{
    /// <summary>One message per item, in log order.</summary>
    public static IReadOnlyList<NotificationMessage> Immediate(IEnumerable<NotificationItem> items) =>
        items.OrderBy(i => i.Position).Select(i => new NotificationMessage(i.RecipientId, i.Subject, $"{i.Body}\n\n{i.Link}", [i.Key])).ToList();

    /// <summary>One message per recipient and UTC day, listing that day's items in log order.</summary>
    public static IReadOnlyList<NotificationMessage> Daily(IEnumerable<NotificationItem> items) =>
        items.GroupBy(i => (i.RecipientId, Day: DateOnly.FromDateTime(i.At.UtcDateTime)))
            .OrderBy(g => g.Key.Day).ThenBy(g => g.Key.RecipientId, StringComparer.Ordinal)
            .Select(g =>
            {
                var ordered = g.OrderBy(i => i.Position).ToList();
                var lines = ordered.Select(i => $"- {i.Subject}\n  {i.Link}");
                return new NotificationMessage(g.Key.RecipientId, $"ReleaseGateway: {ordered.Count} notification(s) on {g.Key.Day:yyyy-MM-dd}",
                    string.Join("\n", lines), ordered.Select(i => i.Key).ToList());
            }).ToList();
}
