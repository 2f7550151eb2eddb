using System.Net;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.IntegrationTests.Requests;

namespace ReleaseGateway.IntegrationTests.Web;

public sealed class DatasetLifecyclePagesTestsOnSqlite(LifecycleSqliteHost host) : DatasetLifecyclePagesTests<LifecycleSqliteHost>(host);

public sealed class DatasetLifecyclePagesTestsOnPostgres(LifecyclePostgresHost host) : DatasetLifecyclePagesTests<LifecyclePostgresHost>(host);

/// <summary>The steward's lifecycle page over real HTTP with a signed-in browser session (ADR 0057).</summary>
public abstract class DatasetLifecyclePagesTests<THost>(THost host) : IClassFixture<THost> where THost : GatewayHost
{
    private readonly RequestsApi _api = new(host);

    [Fact]
    public async Task Given_TheStewardsLifecyclePage_When_TheyUploadAVersionChangeThePolicyAndRetire_Then_EachIsInTheHistoryAndRefusalsShowOnThePage()
    {
        var stewardUser = await host.CreateUserAsync(Roles.DataSteward);
        var datasetId = await _api.DatasetWithSourceAsync(host.CreateClient((await host.SignInAsync(stewardUser)).AccessToken));
        using var steward = await WebSession.SignInAsync(host, stewardUser);
        var path = $"/ui/datasets/{datasetId}/lifecycle";
        var details = await steward.GetAsync($"/ui/datasets/{datasetId}");
        Assert.Contains(path, details.Html);

        var page = await steward.GetAsync(path);
        var noReason = await steward.PostFilesAsync(page, path + "?handler=Version", [("Reason", "")], ("Table", "v2.csv", RequestsApi.GoodCsv));
        Assert.Equal(HttpStatusCode.BadRequest, noReason.Status);
        Assert.Contains("Say why there is a new version", noReason.Html);
        var versioned = await steward.PostFilesAsync(page, path + "?handler=Version", [("Reason", "Late admissions added")], ("Table", "v2.csv", RequestsApi.GoodCsv));
        Assert.Equal(HttpStatusCode.Redirect, versioned.Status);
        Assert.Contains("Version 2 was stored", (await steward.FollowAsync(versioned)).Html);

        page = await steward.GetAsync(path);
        var policy = await steward.PostAsync(page, path + "?handler=Policy", ("Policy", LifecyclePolicies.Strict), ("Reason", "Ethics review"));
        Assert.Equal(HttpStatusCode.Redirect, policy.Status);
        page = await steward.GetAsync(path);
        var unchanged = await steward.PostAsync(page, path + "?handler=Policy", ("Policy", LifecyclePolicies.Strict), ("Reason", "again"));
        Assert.Equal(HttpStatusCode.Conflict, unchanged.Status);
        Assert.Contains("RG2332", unchanged.Html);

        var retired = await steward.PostAsync(page, path + "?handler=Retire", ("Reason", "Registry closed"));
        Assert.Equal(HttpStatusCode.Redirect, retired.Status);
        var after = await steward.GetAsync($"/ui/datasets/{datasetId}");
        Assert.Contains("Retired", after.Html);
        foreach (var line in new[] { "Late admissions added", "Ethics review", "Registry closed" }) Assert.Contains(line, after.Html);

        using (var researcher = await WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.Researcher)))
            Assert.DoesNotContain(datasetId.ToString(), (await researcher.GetAsync("/ui/requests/new")).Html);

        // Another steward reads the page but is offered no form.
        using var other = await WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.DataSteward));
        var theirs = await other.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, theirs.Status);
        Assert.DoesNotContain("handler=Retire", theirs.Html);
    }
}
