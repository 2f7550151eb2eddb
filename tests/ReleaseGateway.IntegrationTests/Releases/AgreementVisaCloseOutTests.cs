using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.Testing;
using static ReleaseGateway.IntegrationTests.Requests.RequestsApi;

namespace ReleaseGateway.IntegrationTests.Releases;

public sealed class AgreementVisaCloseOutTestsOnSqlite(SqlitePipelineHost host) : AgreementVisaCloseOutTests<SqlitePipelineHost>(host);

public sealed class AgreementVisaCloseOutTestsOnPostgres(PostgresPipelineHost host) : AgreementVisaCloseOutTests<PostgresPipelineHost>(host);

/// <summary>
/// Data-use agreements, GA4GH visas and close-out over real HTTP with real tokens, on a release the real pipeline published
/// (ADRs 0055, 0056). Refusals are problem details with nothing stored on the stream they concern.
/// </summary>
public abstract class AgreementVisaCloseOutTests<THost>(THost host) : IClassFixture<THost> where THost : GatewayHost
{
    [Fact]
    public async Task Given_ADatasetWithAnAgreement_When_TheRequesterDownloads_Then_OnlyTheCurrentAcceptedVersionOpensTheFilesAndAVerifierAcceptsTheVisa()
    {
        var s = await ReleaseScenario.StartAsync(host, "agreed");
        await Json(await s.Steward.PutAsJsonAsync($"/datasets/{s.DatasetId}/agreement",
            new { title = "GBSG data-use agreement", text = "Use for the stated research only.\nNo re-identification. Delete copies at close-out." }),
            HttpStatusCode.OK);
        var requestId = await s.SubmitAndAcceptAsync();
        await Json(await s.ApproveAsync(requestId), HttpStatusCode.OK);
        Assert.Equal("Released", (string?)(await s.WaitForStateAsync(requestId, "Released", "Blocked"))["state"]);
        var releaseId = Guid.Parse((string)(await s.LatestReleaseAsync(requestId))["id"]!);

        // Not yet accepted: 403 with where to accept, nothing stored on the release.
        var before = await EventCountAsync(releaseId);
        var refused = await Problem(await s.Researcher.GetAsync($"/releases/{releaseId}/artifacts/synthetic.csv"), HttpStatusCode.Forbidden, "RG2300");
        Assert.Equal($"/requests/{requestId}/agreement/accept", (string?)refused["accept"]);
        Assert.Contains($"rgw agreements accept {requestId}", (string?)refused["detail"]);
        Assert.Equal(before + 1, await EventCountAsync(releaseId, includeRefusals: true)); // only the refusal, beside the stream
        Assert.Equal(before, await EventCountAsync(releaseId));

        // Accepting a version that is not current stores nothing; the current one is an event on the request's stream.
        await Problem(await s.Researcher.PostAsJsonAsync($"/requests/{requestId}/agreement/accept", new { number = 2 }), HttpStatusCode.Conflict, "RG2301");
        await Problem(await s.Members[0].PostAsJsonAsync($"/requests/{requestId}/agreement/accept", new { number = 1 }), HttpStatusCode.Forbidden, "RG2003");
        var accepted = await Json(await s.Researcher.PostAsJsonAsync($"/requests/{requestId}/agreement/accept", new { number = 1 }), HttpStatusCode.OK);
        Assert.Equal(1, (int?)accepted["acceptedNumber"]);
        Assert.Equal(HttpStatusCode.OK, (await s.Researcher.GetAsync($"/releases/{releaseId}/artifacts/synthetic.csv")).StatusCode);
        Assert.Single((await host.EventStore.FetchStreamAsync(requestId)), e => e.EventType == "DataUseAgreementAccepted");

        // A new version needs a new acceptance; publishing the same text again is refused.
        await Problem(await s.Steward.PutAsJsonAsync($"/datasets/{s.DatasetId}/agreement",
            new { title = "GBSG data-use agreement", text = "Use for the stated research only.\nNo re-identification. Delete copies at close-out." }),
            HttpStatusCode.Conflict, "RG2304");
        await Problem(await s.Members[0].PutAsJsonAsync($"/datasets/{s.DatasetId}/agreement", new { title = "x", text = "y" }), HttpStatusCode.Forbidden, "RG2019");
        await Json(await s.Steward.PutAsJsonAsync($"/datasets/{s.DatasetId}/agreement",
            new { title = "GBSG data-use agreement", text = "Version 2: also cite the GBSG study." }), HttpStatusCode.OK);
        await Problem(await s.Researcher.GetAsync($"/releases/{releaseId}/artifacts/synthetic.csv"), HttpStatusCode.Forbidden, "RG2300");
        await Problem(await s.Researcher.PostAsync($"/releases/{releaseId}/visa", null), HttpStatusCode.Forbidden, "RG2300");

        // The CLI: the download says how to accept; the requester reads and accepts version 2 with rgw, then downloads.
        var cli = await CliAsync(s.ResearcherUser);
        var folder = Directory.CreateTempSubdirectory("rgw-agreed-").FullName;
        var refusedDownload = await cli("release", "download", releaseId.ToString(), "--out", folder);
        Assert.Equal(2, refusedDownload.ExitCode);
        Assert.Contains($"rgw agreements accept {requestId}", refusedDownload.Stderr);
        Assert.Contains("Version 2: also cite the GBSG study.", Succeeded(await cli("agreements", "status", requestId.ToString())).Stdout);
        Assert.Contains("Accepted version 2", Succeeded(await cli("agreements", "accept", requestId.ToString(), "--version", "2")).Stdout);
        Succeeded(await cli("release", "download", releaseId.ToString(), "--out", folder));
        Assert.StartsWith("ey", Succeeded(await cli("release", "visa", releaseId.ToString())).Stdout);

        // The visa: an independent verifier with keys fetched from the discovery document's jwks_uri over HTTP accepts it.
        await Problem(await s.Members[0].PostAsync($"/releases/{releaseId}/visa", null), HttpStatusCode.Forbidden, "RG2321");
        var issued = await Json(await s.Researcher.PostAsync($"/releases/{releaseId}/visa", null), HttpStatusCode.OK);
        var visa = (string)issued["visa"]!;
        using var anonymous = host.CreateClient();
        var discovery = JsonNode.Parse(await anonymous.GetStringAsync("/.well-known/openid-configuration"))!;
        var jwks = new JsonWebKeySet(await anonymous.GetStringAsync((string)discovery["jwks_uri"]!));
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = (string)discovery["issuer"]!, ValidateAudience = false, IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        };
        var verified = await new JsonWebTokenHandler().ValidateTokenAsync(visa, parameters);
        Assert.True(verified.IsValid, verified.Exception?.ToString());
        var jwt = (JsonWebToken)verified.SecurityToken;
        Assert.Equal(new[] { "exp", "ga4gh_visa_v1", "iat", "iss", "jti", "sub" }, jwt.Claims.Select(c => c.Type).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(s.ResearcherUser.Id.ToString(), jwt.Subject);
        Assert.EndsWith(".well-known/jwks", jwt.GetHeaderValue<string>("jku"));
        var claim = JsonNode.Parse(jwt.GetClaim("ga4gh_visa_v1").Value)!;
        Assert.Equal("ControlledAccessGrants", (string?)claim["type"]);
        Assert.Equal("dac", (string?)claim["by"]);
        Assert.EndsWith($"/releases/{releaseId}", (string?)claim["value"]);
        Assert.EndsWith("/committees/default", (string?)claim["source"]);
        var release = (await Json(await s.Researcher.GetAsync($"/releases/{releaseId}"), HttpStatusCode.OK))["release"]!;
        Assert.True(jwt.ValidTo <= DateTimeOffset.Parse((string)release["expiresAt"]!, System.Globalization.CultureInfo.InvariantCulture).UtcDateTime);
        Assert.Equal("active", (string?)(await Json(await anonymous.PostAsJsonAsync("/visas/check", new { visa }), HttpStatusCode.OK))["status"]);

        // A tampered visa (the subject changed) fails the independent verifier and the gateway's check.
        var parts = visa.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace(s.ResearcherUser.Id.ToString(), Guid.NewGuid().ToString());
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";
        Assert.False((await new JsonWebTokenHandler().ValidateTokenAsync(tampered, parameters)).IsValid);
        Assert.Equal("invalid", (string?)(await Json(await anonymous.PostAsJsonAsync("/visas/check", new { visa = tampered }), HttpStatusCode.OK))["status"]);

        // Close-out: only the requester, with a note; it ends access, the visa's check says so, and the committee reads it.
        await Problem(await s.Members[0].PostAsJsonAsync($"/releases/{releaseId}/close-out", new { note = "Someone else's note, long enough." }),
            HttpStatusCode.Forbidden, "RG2310");
        var eventsBefore = await EventCountAsync(releaseId);
        await Problem(await s.Researcher.PostAsJsonAsync($"/releases/{releaseId}/close-out", new { note = "short" }), HttpStatusCode.BadRequest, "RG2009");
        Assert.Equal(eventsBefore, await EventCountAsync(releaseId));
        const string note = "Model fitted and published; all local copies deleted on completion.";
        await Json(await s.Researcher.PostAsJsonAsync($"/releases/{releaseId}/close-out", new { note }), HttpStatusCode.OK);
        await Problem(await s.Researcher.PostAsJsonAsync($"/releases/{releaseId}/close-out", new { note }), HttpStatusCode.Conflict, "RG2311");
        Assert.Equal(note, (string?)(await Json(await s.Members[1].GetAsync($"/releases/{releaseId}"), HttpStatusCode.OK))["release"]!["closeOutNote"]);
        await Problem(await s.Researcher.GetAsync($"/releases/{releaseId}/artifacts/synthetic.csv"), HttpStatusCode.Gone, "RG3003");
        await Problem(await s.Researcher.PostAsync($"/releases/{releaseId}/visa", null), HttpStatusCode.Conflict, "RG2320");
        Assert.Equal("closed-out", (string?)(await Json(await anonymous.PostAsJsonAsync("/visas/check", new { visa }), HttpStatusCode.OK))["status"]);
    }

    [Fact]
    public async Task Given_ARequiredCloseOut_When_TheReleaseIsRevoked_Then_TheVisaChecksRevokedAndTheNextSubmissionWaitsForTheNote()
    {
        var s = await ReleaseScenario.StartAsync(host, "closeout-required");
        var requestId = await s.SubmitAndAcceptAsync();
        await Json(await s.ApproveAsync(requestId), HttpStatusCode.OK);
        Assert.Equal("Released", (string?)(await s.WaitForStateAsync(requestId, "Released", "Blocked"))["state"]);
        var releaseId = Guid.Parse((string)(await s.LatestReleaseAsync(requestId))["id"]!);
        // No agreement on this dataset: the release downloads and the visa is issued without one.
        Assert.Null((await Json(await s.Researcher.GetAsync($"/requests/{requestId}/agreement"), HttpStatusCode.OK))["current"]);
        await Problem(await s.Researcher.PostAsJsonAsync($"/requests/{requestId}/agreement/accept", new { number = 1 }), HttpStatusCode.NotFound, "RG2303");
        var visa = (string)(await Json(await s.Researcher.PostAsync($"/releases/{releaseId}/visa", null), HttpStatusCode.OK))["visa"]!;

        await Json(await s.Members[2].PostAsJsonAsync($"/releases/{releaseId}/revoke", new { reason = "Consent withdrawn by the cohort" }), HttpStatusCode.OK);
        using var anonymous = host.CreateClient();
        Assert.Equal("revoked", (string?)(await Json(await anonymous.PostAsJsonAsync("/visas/check", new { visa }), HttpStatusCode.OK))["status"]);
        await Problem(await s.Researcher.PostAsync($"/releases/{releaseId}/visa", null), HttpStatusCode.Conflict, "RG2320");

        var head = await host.EventStore.ReadHeadAsync();
        var due = await Problem(await s.Researcher.PostAsJsonAsync("/requests", Terms(s.DatasetId)), HttpStatusCode.Conflict, "RG2312");
        Assert.Contains(releaseId.ToString(), (string?)due["detail"]);
        Assert.DoesNotContain(await host.EventStore.ReadAllAsync(head.Position + 1).ToListAsync(), e => e.EventType == "AccessRequestSubmitted");

        await Json(await s.Researcher.PostAsJsonAsync($"/releases/{releaseId}/close-out",
            new { note = "Revoked before use; the downloaded copy was deleted." }), HttpStatusCode.OK);
        await Json(await s.Researcher.PostAsJsonAsync("/requests", Terms(s.DatasetId)), HttpStatusCode.Created);
    }

    private delegate Task<Rgw.Result> Cli(params string[] arguments);

    private async Task<Cli> CliAsync(TestUser user)
    {
        var environment = new Dictionary<string, string?>
        {
            ["ReleaseGateway__DataDirectory"] = host.DataDirectory, ["ConnectionStrings__Postgres"] = host.PostgresConnectionString,
        };
        var credentials = Path.Combine(Directory.CreateTempSubdirectory("rgw-credentials-").FullName, "researcher.json");
        var login = await Rgw.RunAsync(environment, user.Password + "\n",
            "login", "--gateway", host.BaseAddress.ToString(), "--user", user.Email, "--password-stdin", "--credentials", credentials);
        Assert.True(login.ExitCode == 0, login.Stderr);
        return arguments => Rgw.RunAsync(environment, null, [.. arguments, "--credentials", credentials]);
    }

    private static Rgw.Result Succeeded(Rgw.Result result)
    {
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{result.Stdout}\n{result.Stderr}");
        return result;
    }

    private static object Terms(Guid datasetId) => new
    {
        datasetId, title = "Second model", purpose = "Model recurrence-free survival", justification = "Follow-up", intendedUse = "Academic research",
        columns = ReleaseScenario.Columns, epsilon = 0.5, rows = 500, generator = (string?)null, accessDays = 30,
    };

    private async Task<int> EventCountAsync(Guid streamId, bool includeRefusals = false)
    {
        var own = (await host.EventStore.FetchStreamAsync(streamId)).Count;
        if (!includeRefusals) return own;
        var refusals = await host.EventStore.ReadAllAsync(0).Where(e => e.Data is ReleaseGateway.EventStore.Audit.CommandRefused r && r.StreamId == streamId).CountAsync();
        return own + refusals;
    }
}
