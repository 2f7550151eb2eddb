using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Testing;
using static ReleaseGateway.IntegrationTests.Requests.RequestsApi;

namespace ReleaseGateway.IntegrationTests.Releases;

public sealed class PersonKeyPolicyTestsOnSqlite(SqlitePipelineHost host) : PersonKeyPolicyTests<SqlitePipelineHost>(host);

public sealed class PersonKeyPolicyTestsOnPostgres(PostgresPipelineHost host) : PersonKeyPolicyTests<PostgresPipelineHost>(host);

/// <summary>A policy that makes the person the privacy unit (privacyUnit.requirePersonKey) over HTTP (ADR 0024).</summary>
public abstract class PersonKeyPolicyTests<THost>(THost host) : IClassFixture<THost> where THost : Infrastructure.GatewayHost
{
    [Fact]
    public async Task Given_PolicyRequiringAPersonKey_When_ASchemaWithoutOneIsRegistered_Then_RG2040AndNothingIsStored()
    {
        var (steward, _) = await host.CreateClientForRoleAsync(Roles.DataSteward);

        var problem = await Problem(await RegisterAsync(steward, "persons"), HttpStatusCode.BadRequest, "RG2040");

        Assert.Contains("personKey", (string?)problem["detail"]);
        // Nothing was recorded: the name is still free, and the same dataset with its person key declared registers.
        await Json(await steward.PostAsJsonAsync("/datasets", new
        {
            name = "persons", description = "pbcseq visits", owner = "Mayo Clinic", schema = JsonNode.Parse(Pbcseq.SchemaJson),
        }), HttpStatusCode.Created);
    }
}
