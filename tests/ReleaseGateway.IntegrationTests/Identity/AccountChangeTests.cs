using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Audit;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Identity.Users;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.IntegrationTests.Requests;
using ReleaseGateway.IntegrationTests.Web;
using ReleaseGateway.Problems;
using static ReleaseGateway.IntegrationTests.Requests.RequestsApi;

namespace ReleaseGateway.IntegrationTests.Identity;

public sealed class AccountChangeTestsOnSqlite(SqliteGatewayHost host) : AccountChangeTests<SqliteGatewayHost>(host);

public sealed class AccountChangeTestsOnPostgres(PostgresGatewayHost host) : AccountChangeTests<PostgresGatewayHost>(host);

/// <summary>
/// Role and account changes (issue 15, rows 2 and 13): they take effect at once for tokens already issued and for web
/// sessions, nobody changes their own account, administrators get workflow roles only from a second administrator,
/// and compliance sees every change in the audit trail.
/// </summary>
public abstract class AccountChangeTests<THost>(THost host) : IClassFixture<THost> where THost : GatewayHost
{
    private readonly RequestsApi _api = new(host);

    [Fact]
    public async Task Bug_RevokedCommitteeMember_VotedWithTheAccessTokenTheyStillHeld()
    {
        var review = await _api.InReviewAsync();
        var (member, memberUser) = await host.CreateClientForRoleAsync(Roles.CommitteeMember);
        var (admin, _) = await host.CreateClientForRoleAsync(Roles.Administrator);
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync("/api/me")).StatusCode);

        var revoked = await admin.PostAsJsonAsync("/api/admin/users/roles/revoke", new ChangeRoleRequest(memberUser.Email, Roles.CommitteeMember));
        var vote = await VoteAsync(member, review.RequestId, "reject");

        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        await Problem(vote, HttpStatusCode.Unauthorized, ErrorCodes.AuthenticationRequired);
        Assert.DoesNotContain("CommitteeVoteCast", await _api.EventTypesAsync(review.RequestId));
        // The other members still decide: only the revoked member's token stopped.
        Assert.Equal(HttpStatusCode.OK, (await VoteAsync(review.Members[0], review.RequestId)).StatusCode);
    }

    [Fact]
    public async Task Bug_DisabledUser_KeptUsingTheTokenAndTheWebSession()
    {
        var user = await host.CreateUserAsync(Roles.ComplianceOfficer);
        using var api = host.CreateClient((await host.SignInAsync(user)).AccessToken);
        using var web = await WebSession.SignInAsync(host, user);
        var (admin, _) = await host.CreateClientForRoleAsync(Roles.Administrator);
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync("/ui/audit")).Status);

        var disabled = await admin.PostAsJsonAsync("/api/admin/users/disable", new AccountRequest(user.Email));
        var call = await api.GetAsync("/api/me");
        var page = await web.GetAsync("/ui/audit");

        Assert.Equal(HttpStatusCode.NoContent, disabled.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, call.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, page.Status);
        Assert.Equal("/connect/authorize", web.Browser.Location(page.Response).OriginalString.Split('?')[0]);
        Assert.Contains(nameof(UserDisabled), await _api.EventTypesAsync(user.Id));

        var enabled = await admin.PostAsJsonAsync("/api/admin/users/enable", new AccountRequest(user.Email));
        Assert.Equal(HttpStatusCode.NoContent, enabled.StatusCode);
        // A new sign-in works again; the old token stays dead (its stamp is gone for good).
        Assert.Equal(HttpStatusCode.OK, (await host.CreateClient((await host.SignInAsync(user)).AccessToken).GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task Given_AWebSession_When_ARoleIsRevoked_Then_TheNextPageSignsInAgain()
    {
        var user = await host.CreateUserAsync(Roles.ComplianceOfficer, Roles.DataSteward);
        using var web = await WebSession.SignInAsync(host, user);
        var (admin, _) = await host.CreateClientForRoleAsync(Roles.Administrator);

        await admin.PostAsJsonAsync("/api/admin/users/roles/revoke", new ChangeRoleRequest(user.Email, Roles.ComplianceOfficer));
        var page = await web.GetAsync("/ui/audit");

        Assert.Equal(HttpStatusCode.Redirect, page.Status);
        Assert.Equal("/connect/authorize", web.Browser.Location(page.Response).OriginalString.Split('?')[0]);
    }

    [Fact]
    public async Task Bug_AdministratorGrantedThemselfComplianceOfficer()
    {
        var admin = await host.CreateUserAsync(Roles.Administrator);
        using var client = host.CreateClient((await host.SignInAsync(admin)).AccessToken);

        var grant = await client.PostAsJsonAsync("/api/admin/users/roles/grant", new ChangeRoleRequest(admin.Email, Roles.ComplianceOfficer));
        var disable = await client.PostAsJsonAsync("/api/admin/users/disable", new AccountRequest(admin.Email));

        await Problem(grant, HttpStatusCode.Forbidden, ErrorCodes.RoleChangeOnSelf);
        await Problem(disable, HttpStatusCode.Forbidden, ErrorCodes.RoleChangeOnSelf);
        Assert.Equal([nameof(UserCreated), nameof(UserSignedIn)], await _api.EventTypesAsync(admin.Id));
    }

    [Fact]
    public async Task Bug_AdministratorCreatedAnAccountHoldingAdministratorAndAWorkflowRole()
    {
        var (admin, _) = await host.CreateClientForRoleAsync(Roles.Administrator);
        var email = $"both-{Guid.NewGuid():N}@example.test";

        var created = await admin.PostAsJsonAsync("/api/admin/users", new CreateUserRequest(email, [Roles.Administrator, Roles.ComplianceOfficer]));

        await Problem(created, HttpStatusCode.Forbidden, ErrorCodes.SecondAdministratorRequired);
        var list = await admin.GetFromJsonAsync<List<UserSummary>>("/api/admin/users");
        Assert.DoesNotContain(list!, u => u.Email == email);
    }

    [Fact]
    public async Task Bug_AdministratorHeldAWorkflowRoleGrantedThroughAServiceClientTheyRegistered()
    {
        var admin = await host.CreateUserAsync(Roles.Administrator);
        var registered = await host.CreateServiceClientAsync(Roles.Administrator);
        using var http = host.CreateClient();
        var tokens = await OAuth.ReadTokensAsync(await http.PostAsync("/connect/token", new FormUrlEncodedContent(
        [
            new("grant_type", "client_credentials"), new("client_id", registered.ClientId), new("client_secret", registered.ClientSecret),
            new("scope", GatewayScopes.Api),
        ])));
        using var client = host.CreateClient(tokens.AccessToken);

        var grant = await client.PostAsJsonAsync("/api/admin/users/roles/grant", new ChangeRoleRequest(admin.Email, Roles.ComplianceOfficer));

        await Problem(grant, HttpStatusCode.Forbidden, ErrorCodes.SecondAdministratorRequired);
    }

    [Fact]
    public async Task Bug_AdministratorHeldAWorkflowRoleGrantedByAnAdministratorAccountTheyCreated()
    {
        var admin = await host.CreateUserAsync(Roles.Administrator);
        using var adminApi = host.CreateClient((await host.SignInAsync(admin)).AccessToken);
        var puppetEmail = $"puppet-{Guid.NewGuid():N}@example.test";
        Assert.Equal(HttpStatusCode.Created,
            (await adminApi.PostAsJsonAsync("/api/admin/users", new CreateUserRequest(puppetEmail, [Roles.Administrator]))).StatusCode);
        var puppet = (await adminApi.GetFromJsonAsync<List<UserSummary>>("/api/admin/users"))!.Single(u => u.Email == puppetEmail);

        // The puppet's grant, as its API call would make it (its first sign-in needs a new password; the rule is the same).
        await using var scope = host.Services.CreateAsyncScope();
        var refused = await Assert.ThrowsAsync<UserAdministrationException>(() => scope.ServiceProvider.GetRequiredService<UserAdministration>()
            .GrantRoleAsync(admin.Email, Roles.ComplianceOfficer, new EventMetadata(puppet.Id.ToString(), Roles.Administrator, "test")));

        Assert.Equal(ErrorCodes.SecondAdministratorRequired, refused.Code);
    }

    [Fact]
    public async Task Given_TwoAdministrators_When_OneGrantsTheOtherAWorkflowRole_Then_ComplianceSeesItInTheAuditTrail()
    {
        var admin = await host.CreateUserAsync(Roles.Administrator);
        var (secondAdmin, secondAdminUser) = await host.CreateClientForRoleAsync(Roles.Administrator);

        var grant = await secondAdmin.PostAsJsonAsync("/api/admin/users/roles/grant", new ChangeRoleRequest(admin.Email, Roles.ComplianceOfficer));
        using var officer = await WebSession.SignInAsync(host, await host.CreateUserAsync(Roles.ComplianceOfficer));
        var trail = await officer.GetAsync($"/ui/audit?stream={admin.Id}");

        Assert.Equal(HttpStatusCode.NoContent, grant.StatusCode);
        Assert.Equal(HttpStatusCode.OK, trail.Status);
        Assert.Contains("User role granted", trail.Html);
        Assert.Contains(WebUtility.HtmlEncode(admin.Email), trail.Html);
        Assert.Contains(WebUtility.HtmlEncode(secondAdminUser.Email), trail.Html);
        var granted = (await host.EventStore.FetchStreamAsync(admin.Id)).Single(e => e.Data is UserRoleGranted);
        Assert.Equal(secondAdminUser.Id.ToString(), granted.Metadata.ActorId);
    }
}
