using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Configuration;
using MimeKit;

namespace ReleaseGateway.Requests.Notifications;

/// <summary>SMTP settings (<c>ReleaseGateway:Smtp:Host</c>, <c>Port</c>, <c>From</c>); without a host nothing is sent.</summary>
public sealed record SmtpSettings(string? Host, int Port, string From)
{
    public static SmtpSettings FromConfiguration(IConfiguration configuration) => new(
        configuration["ReleaseGateway:Smtp:Host"] is { Length: > 0 } h ? h : null,
        configuration.GetValue("ReleaseGateway:Smtp:Port", 25),
        configuration["ReleaseGateway:Smtp:From"] is { Length: > 0 } f ? f : "releasegateway@localhost");
}

/// <summary>Sends plain-text e-mail through an SMTP relay with MailKit, one connection per message (notifications are few).</summary>
public sealed class SmtpNotificationSender(SmtpSettings settings) : INotificationSender, ReleaseGateway.Identity.Users.IAccountMail
{
    public bool Enabled => settings.Host is not null;

    public async Task SendAsync(string address, string subject, string body, CancellationToken ct)
    {
        if (settings.Host is null) throw new InvalidOperationException("SMTP is not configured.");
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(settings.From));
        message.To.Add(MailboxAddress.Parse(address));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = body };
        using var client = new SmtpClient();
        await client.ConnectAsync(settings.Host, settings.Port, SecureSocketOptions.StartTlsWhenAvailable, ct);
        await client.SendAsync(message, ct);
        await client.DisconnectAsync(true, ct);
    }
}
