using System.CommandLine;
using ReleaseGateway.Cli.Gateway;
using ReleaseGateway.Requests.Notifications;

namespace ReleaseGateway.Cli;

/// <summary><c>rgw notifications list | preferences</c>: the caller's own notifications and how they reach them by e-mail (ADR 0049, 0058).</summary>
internal static class NotificationsCommands
{
    public static Command Create()
    {
        var notifications = new Command("notifications", "Your notifications, and which of them reach you by e-mail, how often");
        notifications.Subcommands.Add(List());
        notifications.Subcommands.Add(Preferences());
        return notifications;
    }

    private static Command List()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var command = new Command("list", "Your notifications, newest first, with their e-mail status") { credentials };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var items = await gateway.GetAsync<List<NotificationView>>("/notifications", ct);
            Console.WriteLine($"{"AT",-20}  {"KIND",-10}  {"E-MAIL",-8}  SUBJECT");
            foreach (var n in items) Console.WriteLine($"{n.At:u}  {n.Kind ?? "-",-10}  {n.Status,-8}  {n.Subject}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Preferences()
    {
        var credentials = GatewayOptions.CredentialsFile();
        var email = new Option<string>("--email") { Description = "on or off" };
        email.AcceptOnlyFromAmong("on", "off");
        var delivery = new Option<string>("--delivery") { Description = $"{DeliveryModes.Immediate} (one e-mail per notification) or {DeliveryModes.Daily} (one digest a day)" };
        var kinds = new Option<string>("--kinds") { Description = $"Comma-separated kinds to receive by e-mail, or 'all' ({string.Join(", ", NotificationKinds.All)})" };
        var command = new Command("preferences", "Show your notification preferences; with options, change them (each change is an event)") { credentials, email, delivery, kinds };
        command.SetAction((parse, ct) => GatewayClient.RunAsync(async () =>
        {
            using var gateway = GatewayClient.SignedIn(parse.GetValue(credentials));
            var current = await gateway.GetAsync<NotificationPreferences>("/notifications/preferences", ct);
            if (parse.GetValue(email) is not null || parse.GetValue(delivery) is not null || parse.GetValue(kinds) is not null)
            {
                var chosen = parse.GetValue(kinds) is { } k ? k == "all" ? null : k.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : current.EmailKinds;
                current = await gateway.SendJsonAsync<NotificationPreferences>(HttpMethod.Put, "/notifications/preferences", new
                {
                    email = parse.GetValue(email) is { } e ? e == "on" : current.Email,
                    delivery = parse.GetValue(delivery) ?? current.Delivery,
                    kinds = chosen,
                }, ct);
            }
            Console.WriteLine($"e-mail {(current.Email ? "on" : "off")}, {current.Delivery}, kinds: {(current.EmailKinds is null ? "all" : string.Join(", ", current.EmailKinds))}");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
