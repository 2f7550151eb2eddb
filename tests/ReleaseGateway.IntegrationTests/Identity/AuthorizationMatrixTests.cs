using System.Net;
using System.Net.Http.Json;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Identity.Users;
using ReleaseGateway.IntegrationTests.Infrastructure;

namespace ReleaseGateway.IntegrationTests.Identity;

public sealed class AuthorizationMatrixTestsOnSqlite(SqliteGatewayHost host) : AuthorizationMatrixTests<SqliteGatewayHost>(host);

public sealed class AuthorizationMatrixTestsOnPostgres(PostgresGatewayHost host) : AuthorizationMatrixTests<PostgresGatewayHost>(host);

/// <summary>Each role against each endpoint class: allowed (2xx) or denied (403); no token: 401.</summary>
public abstract class AuthorizationMatrixTests<THost>(THost host) : IClassFixture<THost> where THost : GatewayHost
{
    /// <summary>Which roles each policy admits: the specification the matrix checks the gateway against.</summary>
    private static readonly Dictionary<string, string[]> Admits = new()
    {
        [Policies.Researcher] = [Roles.Researcher],
        [Policies.Committee] = [Roles.CommitteeMember],
        [Policies.Compliance] = [Roles.ComplianceOfficer],
        [Policies.Steward] = [Roles.DataSteward],
        [Policies.Admin] = [Roles.Administrator],
        [Policies.ReadAudit] = [Roles.ComplianceOfficer, Roles.Administrator],
        [Policies.Authenticated] = [.. Roles.All],
    };

    /// <summary>One read-only endpoint per endpoint class and its policy. Modules add their rows here.</summary>
    private static readonly (string Path, string Policy)[] Endpoints =
    [
        ("/api/me", Policies.Authenticated),
        ("/api/admin/users", Policies.Admin),
        ("/api/admin/clients", Policies.Admin),
        ("/api/admin/keys", Policies.Admin),
    ];

    public static TheoryData<string> AllRoles => [.. Roles.All];

    [Theory]
    [MemberData(nameof(AllRoles))]
    public async Task Given_EachRole_When_CallingEveryEndpoint_Then_ItReachesExactlyThoseItsPolicyAdmits(string role)
    {
        using var client = host.CreateClient(await host.AccessTokenForRoleAsync(role));
        foreach (var (path, policy) in Endpoints)
        {
            var response = await client.GetAsync(path);
            var expected = Admits[policy].Contains(role) ? HttpStatusCode.OK : HttpStatusCode.Forbidden;
            Assert.True(expected == response.StatusCode, $"{role} on {path}: expected {expected}, got {response.StatusCode}");
        }
    }

    [Theory]
    [MemberData(nameof(AllRoles))]
    public async Task Given_EachRole_When_EveryPolicyIsEvaluated_Then_ItSatisfiesExactlyThoseThatAdmitIt(string role)
    {
        using var client = host.CreateClient(await host.AccessTokenForRoleAsync(role));
        var me = await client.GetFromJsonAsync<MeResponse>("/api/me");
        foreach (var (policy, roles) in Admits.Where(a => a.Key != Policies.Authenticated))
            Assert.True(roles.Contains(role) == me!.Policies[policy], $"{role} and policy {policy}");
    }

    [Fact]
    public async Task Given_NoToken_When_CallingEveryEndpoint_Then_EachAnswers401()
    {
        using var client = host.CreateClient();
        foreach (var (path, _) in Endpoints)
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task Given_ServiceClient_When_CallingEndpoints_Then_ItIsAuthorizedByItsRolesLikeAUser()
    {
        var registered = await host.CreateServiceClientAsync(Roles.Administrator);
        using var http = host.CreateClient();
        var tokens = await OAuth.ReadTokensAsync(await http.PostAsync("/connect/token", new FormUrlEncodedContent(
        [
            new("grant_type", "client_credentials"), new("client_id", registered.ClientId), new("client_secret", registered.ClientSecret),
            new("scope", GatewayScopes.Api),
        ])));
        using var client = host.CreateClient(tokens.AccessToken);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/admin/users")).StatusCode);
    }

    [Fact]
    public async Task Given_UserWithSeveralRoles_When_Authorized_Then_TheyHaveTheUnionOfTheirPolicies()
    {
        using var client = host.CreateClient(await host.AccessTokenForRoleAsync(Roles.Researcher, Roles.DataSteward));
        var me = await client.GetFromJsonAsync<MeResponse>("/api/me");
        Assert.True(me!.Policies[Policies.Researcher]);
        Assert.True(me.Policies[Policies.Steward]);
        Assert.False(me.Policies[Policies.Committee]);
    }
}
