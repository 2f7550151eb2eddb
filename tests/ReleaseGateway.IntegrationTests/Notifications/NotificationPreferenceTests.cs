using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.IntegrationTests.Web;
using ReleaseGateway.Problems;
using ReleaseGateway.Testing;
using static ReleaseGateway.IntegrationTests.Requests.RequestsApi;

namespace ReleaseGateway.IntegrationTests.Notifications;

public sealed class NotificationPreferenceTestsOnSqlite(MailingSqliteHost host) : NotificationPreferenceTests<MailingSqliteHost>(host);

public sealed class NotificationPreferenceTestsOnPostgres(MailingPostgresHost host) : NotificationPreferenceTests<MailingPostgresHost>(host);

/// <summary>Which kinds of notification reach a person by e-mail, chosen over HTTP and on the web page; the web inbox lists them all (ADR 0058).</summary>
public abstract class NotificationPreferenceTests<THost>(THost host) : IClassFixture<THost> where THost : GatewayHost, IMailingHost
{
    private readonly Requests.RequestsApi _api = new(host);

    [Fact]
    public async Task Given_AStewardWhoTakesNoScreeningMail_When_ARequestIsSubmitted_Then_NoMailButTheItemIsListedAndInTheInbox()
    {
        var stewardUser = await host.CreateUserAsync(Roles.DataSteward);
        var steward = host.CreateClient((await host.SignInAsync(stewardUser)).AccessToken);
        var set = await Json(await steward.PutAsJsonAsync("/notifications/preferences",
            new { email = true, delivery = "immediate", kinds = new[] { "decision", "release" } }), HttpStatusCode.OK);
        Assert.Equal(["decision", "release"], set["emailKinds"]!.AsArray().Select(k => (string)k!));
        var (researcher, _) = await _api.As(Roles.Researcher);
        var datasetId = await _api.DatasetWithSourceAsync(steward);
        var requestId = await SubmitAsync(researcher, datasetId);

        // The dispatcher settles the item as skipped (once) instead of sending it.
        var item = await Eventually.ValueAsync(async () => (await steward.GetFromJsonAsync<JsonArray>("/notifications"))!
                .FirstOrDefault(n => (string?)n!["requestId"] == requestId.ToString()),
            n => (string?)n?["status"] == "skipped", n => $"the steward's item is {(string?)n?["status"] ?? "not listed"}",
            TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200));
        Assert.Equal("screening", (string?)item!["kind"]);
        Assert.DoesNotContain(host.Sink.Received, m => m.To.Contains(stewardUser.Email));

        using var session = await WebSession.SignInAsync(host, stewardUser);
        var inbox = await session.GetAsync("/ui/inbox");
        Assert.Contains($"/ui/requests/{requestId}", inbox.Html);
        Assert.Contains("New access request to screen", inbox.Html);
        var page = await session.GetAsync("/ui/notifications");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("skipped", page.Html);
    }

    [Fact]
    public async Task Given_TheNotificationsPage_When_APersonChoosesADailyDigestOfReviews_Then_AnEventAndTheFormShowsTheChoice()
    {
        var member = await host.CreateUserAsync(Roles.CommitteeMember);
        using var session = await WebSession.SignInAsync(host, member);
        var page = await session.GetAsync("/ui/notifications");
        var posted = await session.PostAsync(page, "/ui/notifications",
            ("Preferences.Email", "true"), ("Preferences.Email", "false"), ("Preferences.Delivery", "daily"), ("Preferences.Kinds", "review"));
        Assert.Equal(HttpStatusCode.Redirect, posted.Status);
        var saved = await session.FollowAsync(posted);
        Assert.Contains("Your preferences were saved", saved.Html);
        var api = host.CreateClient((await host.SignInAsync(member)).AccessToken);
        var prefs = await Json(await api.GetAsync("/notifications/preferences"), HttpStatusCode.OK);
        Assert.Equal("daily", (string?)prefs["delivery"]);
        Assert.Equal(["review"], prefs["emailKinds"]!.AsArray().Select(k => (string)k!));
    }

    [Fact]
    public async Task Given_AnUnknownKind_When_PreferencesAreSet_Then_400AndNothingStored()
    {
        var (member, _) = await _api.As(Roles.CommitteeMember);
        var head = await host.EventStore.ReadHeadAsync();
        await Problem(await member.PutAsJsonAsync("/notifications/preferences", new { email = true, delivery = "daily", kinds = new[] { "gossip" } }),
            HttpStatusCode.BadRequest, ErrorCodes.InvalidCommand);
        Assert.Equal(0, await host.EventStore.ReadAllAsync(head.Position + 1).Where(e => e.EventType.Contains("Preferences")).CountAsync());
    }
}
