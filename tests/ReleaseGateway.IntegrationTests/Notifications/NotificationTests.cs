using System.Net;
using System.Net.Http.Json;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.Testing;
using static ReleaseGateway.IntegrationTests.Requests.RequestsApi;

namespace ReleaseGateway.IntegrationTests.Notifications;

/// <summary>The gateway with its notification dispatcher on, sending to a real SMTP listener on loopback.</summary>
public interface IMailingHost
{
    SmtpSink Sink { get; }
}

public sealed class MailingSqliteHost : SqliteGatewayHost, IMailingHost
{
    public SmtpSink Sink { get; } = SmtpSink.StartNewAsync().GetAwaiter().GetResult();
    protected override void Configure(IDictionary<string, string?> settings) => Mailing.Configure(settings, Sink);
}

public sealed class MailingPostgresHost : PostgresGatewayHost, IMailingHost
{
    public SmtpSink Sink { get; } = SmtpSink.StartNewAsync().GetAwaiter().GetResult();
    protected override void Configure(IDictionary<string, string?> settings) => Mailing.Configure(settings, Sink);
}

internal static class Mailing
{
    public static void Configure(IDictionary<string, string?> settings, SmtpSink sink)
    {
        settings["ReleaseGateway:Smtp:Host"] = "127.0.0.1";
        settings["ReleaseGateway:Smtp:Port"] = sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["ReleaseGateway:Smtp:From"] = "gateway@example.org";
        settings["ReleaseGateway:Notifications:IntervalSeconds"] = "0.2";
    }
}

public sealed class NotificationTestsOnSqlite(MailingSqliteHost host) : NotificationTests<MailingSqliteHost>(host);

public sealed class NotificationTestsOnPostgres(MailingPostgresHost host) : NotificationTests<MailingPostgresHost>(host);

/// <summary>Notifications over HTTP with real tokens, on both backends (ADR 0049).</summary>
public abstract class NotificationTests<THost>(THost host) : IClassFixture<THost> where THost : GatewayHost, IMailingHost
{
    private readonly Requests.RequestsApi _api = new(host);

    [Fact]
    public async Task Given_ASubmission_When_TheDispatcherRuns_Then_TheStewardGetsOneMailWithALinkAndTheItemIsListed()
    {
        var (steward, stewardUser) = await _api.As(Roles.DataSteward);
        var (researcher, _) = await _api.As(Roles.Researcher);
        var datasetId = await _api.DatasetWithSourceAsync(steward);
        var requestId = await SubmitAsync(researcher, datasetId);

        await Eventually.TrueAsync(() => Task.FromResult(host.Sink.Received.Any(m => m.To.Contains(stewardUser.Email))), "the steward's mail", 60);
        var mail = Assert.Single(host.Sink.Received, m => m.To.Contains(stewardUser.Email));
        Assert.Contains("New access request to screen", mail.Subject);
        Assert.Contains($"/ui/requests/{requestId}", mail.Data);

        var listed = await steward.GetFromJsonAsync<List<Dictionary<string, object>>>("/notifications");
        Assert.Contains(listed!, n => n["requestId"].ToString() == requestId.ToString());
    }

    [Fact]
    public async Task Given_AnUnknownDeliveryMode_When_PreferencesAreSet_Then_400AndNothingStored()
    {
        var (member, _) = await _api.As(Roles.CommitteeMember);
        var head = await host.EventStore.ReadHeadAsync();
        var refused = await member.PutAsJsonAsync("/notifications/preferences", new { email = true, delivery = "hourly" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var after = await host.EventStore.ReadAllAsync(head.Position + 1).Where(e => e.EventType.Contains("Preferences")).CountAsync();
        Assert.Equal(0, after);

        var set = await Json(await member.PutAsJsonAsync("/notifications/preferences", new { email = false, delivery = "daily" }), HttpStatusCode.OK);
        Assert.Equal("daily", (string?)set["delivery"]);
        Assert.Equal(false, (bool?)set["email"]);
    }
}
