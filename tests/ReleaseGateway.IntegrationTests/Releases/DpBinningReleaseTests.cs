using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.IntegrationTests.Web;
using ReleaseGateway.Releases.Manifests;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Testing;
using static ReleaseGateway.IntegrationTests.Requests.RequestsApi;

namespace ReleaseGateway.IntegrationTests.Releases;

public sealed class DpBinningReleaseTestsOnSqlite(SqlitePipelineHost host) : DpBinningReleaseTests<SqlitePipelineHost>(host);

public sealed class DpBinningReleaseTestsOnPostgres(PostgresPipelineHost host) : DpBinningReleaseTests<PostgresPipelineHost>(host);

/// <summary>
/// A dataset whose schema leaves bin edges to DP quantiles (ADR 0037), registered and released over HTTP: the demo's Pima
/// table with mass and pedigree declared by their bounds only and insulin with dpBins. The attempt records the plan's
/// binning slice and the edges, the ledger and the release show the slice, and the release decodes with the DP edges.
/// </summary>
public abstract class DpBinningReleaseTests<THost>(THost host) : IClassFixture<THost>, IDisposable where THost : Infrastructure.GatewayHost
{
    public const string Policy = "dp-bins";
    private static readonly string[] BoundsOnly = ["insulin", "mass", "pedigree"];
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "rgw-dpbins-" + Guid.NewGuid().ToString("N"));

    private static string Schema() => File.ReadAllText(Path.Combine(RepositoryPaths.Root, "deploy", "demo-data", "pima-schema.json"))
        .Replace("\"min\": 0, \"max\": 899, \"bins\": 9,", "\"min\": 0, \"max\": 899, \"dpBins\": 8,", StringComparison.Ordinal)
        .Replace("\"binEdges\": [15, 18.5, 25, 30, 35, 40, 50, 70], ", "", StringComparison.Ordinal)
        .Replace("\"max\": 2.5, \"bins\": 10}", "\"max\": 2.5}", StringComparison.Ordinal);

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Given_ASchemaWithBoundsOnlyColumns_When_RegisteredAndReleased_Then_TheBinningSliceIsChargedRecordedAndShownAndTheReleaseUsesTheDpEdges()
    {
        var schema = Schema();
        Assert.Equal(BoundsOnly, Datasets.Schema.DatasetSchema.Parse(schema).DpBinnedColumns.Select(c => c.Name).Order());
        var steward = (await host.CreateClientForRoleAsync(Roles.DataSteward)).Client;
        var (researcher, researcherUser) = await host.CreateClientForRoleAsync(Roles.Researcher);
        var members = new[] { (await host.CreateClientForRoleAsync(Roles.CommitteeMember)).Client, (await host.CreateClientForRoleAsync(Roles.CommitteeMember)).Client };
        var (compliance, complianceUser) = await host.CreateClientForRoleAsync(Roles.ComplianceOfficer);

        var registered = await Json(await steward.PostAsJsonAsync("/datasets",
            new { name = Policy, description = "Pima diabetes (mlbench::PimaIndiansDiabetes2)", owner = "NIDDK", schema = JsonNode.Parse(schema) }), HttpStatusCode.Created);
        var datasetId = Guid.Parse((string)registered["id"]!);
        var csv = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "deploy", "demo-data", "pima.csv"));
        await Json(await steward.PutAsync($"/datasets/{datasetId}/source", new StringContent(csv, Encoding.UTF8, "text/csv")), HttpStatusCode.OK);
        var created = await Json(await researcher.PostAsJsonAsync("/requests", new
        {
            datasetId, title = "Diabetes risk", purpose = "Model diabetes risk", justification = "Screening study", intendedUse = "Academic research",
            columns = new[] { "pregnant", "glucose", "insulin", "mass", "pedigree", "age", "diabetes" }, epsilon = 1.0, rows = 300, accessDays = 30,
        }), HttpStatusCode.Created);
        var requestId = Guid.Parse((string)created["id"]!);
        await Json(await steward.PostAsync($"/decisions/{requestId}/accept-for-review", null), HttpStatusCode.OK);
        foreach (var member in members)
            await Json(await member.PostAsJsonAsync($"/decisions/{requestId}/votes", new { decision = "approve", reason = "Proportionate" }), HttpStatusCode.OK);

        var details = await Eventually.ValueAsync(async () => await Json(await researcher.GetAsync($"/requests/{requestId}"), HttpStatusCode.OK),
            d => (string?)d["state"] is "Released" or "Blocked", d => $"request stayed {(string?)d["state"]}", TimeSpan.FromMinutes(8), TimeSpan.FromMilliseconds(200));
        var attempts = JsonNode.Parse(await researcher.GetStringAsync($"/requests/{requestId}/releases"))!.AsArray();
        var release = attempts.Last()!["release"]!.AsObject();
        Assert.True((string?)details["state"] == "Released", $"blocked: {release["blockedReason"]}");
        var releaseId = Guid.Parse((string)release["id"]!);

        // The attempt planned the slice before reading the data, and recorded the edges it placed with exactly that slice.
        var stream = (await host.EventStore.FetchStreamAsync(releaseId)).Select(e => e.Data).ToList();
        var started = stream.OfType<ReleaseGenerationStarted>().Single();
        var plan = started.BudgetPlan();
        Assert.Equal(0.1, started.BinningShare);
        var bins = stream.OfType<ReleaseBinsPlaced>().Single();
        Assert.Equal(BoundsOnly, bins.Edges.Keys.Order());
        Assert.Equal(plan.BinningRho, bins.Rho, 12);
        Assert.Equal(plan.TotalRho, plan.GateRho + plan.BinningRho + plan.SynthesisRhoPerUnit, 15);
        Assert.Single(stream.OfType<ReleaseEvaluated>()); // the holdout was coded with the same edges

        // The ledger: the release's ρ composes to the promised ε, with the binning slice on its own line.
        var ledger = await Json(await compliance.GetAsync($"/datasets/{datasetId}/budget"), HttpStatusCode.OK);
        var line = Assert.Single(ledger["entries"]!.AsArray())!;
        Assert.Equal(1.0, (double)line["epsilonAtCapDelta"]!, 6);
        Assert.Equal(plan.BinningRho, (double)line["binningRho"]!, 12);
        Assert.InRange((double)line["binningEpsilon"]!, 0.01, 1.0);

        // The release: manifest and report state the slice; the codebook holds the DP edges; values stay inside the bounds.
        var folder = Directory.CreateDirectory(_folder).FullName;
        foreach (var name in new[] { "manifest.json", "release-report.json", "synthetic.csv" })
            await File.WriteAllBytesAsync(Path.Combine(folder, name), await (await researcher.GetAsync($"/releases/{releaseId}/artifacts/{name}")).Content.ReadAsByteArrayAsync());
        var manifest = ReleaseManifest.Parse(await File.ReadAllBytesAsync(Path.Combine(folder, "manifest.json")));
        Assert.Equal(plan.BinningRho, manifest.Privacy.BinningRho!.Value, 12);
        var report = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "release-report.json")))!;
        Assert.Contains("DP quantiles that placed the bin edges", (string?)report["privacyStatement"]);
        Assert.Contains(FormattableString.Invariant($"ρ = {plan.BinningRho:G4} (on its own ε = {(double)report["facts"]!["binningEpsilon"]!:G3} at δ"), (string?)report["privacyStatement"]);
        var pedigree = report["codebook"]!.AsArray().Single(c => (string?)c!["name"] == "pedigree")!;
        var edges = bins.Edges["pedigree"];
        Assert.Equal(edges.Count - 1, pedigree["codes"]!.AsArray().Count);
        Assert.Equal(FormattableString.Invariant($"[{edges[0]:G6}, {edges[1]:G6})"), (string?)pedigree["codes"]![0]);
        var rows = await File.ReadAllLinesAsync(Path.Combine(folder, "synthetic.csv"));
        var column = Array.IndexOf(rows[0].Split(','), "pedigree");
        Assert.All(rows.Skip(1), r => Assert.InRange(double.Parse(r.Split(',')[column], CultureInfo.InvariantCulture), 0, 2.5));

        // The web: the ledger page and the release page show the slice.
        using var officer = await WebSession.SignInAsync(host, complianceUser);
        var ledgerPage = await officer.GetAsync($"/ui/budget/{datasetId}");
        Assert.Contains("DP binning slice", ledgerPage.Html);
        Assert.Contains($"ρ {plan.BinningRho.ToString("G3", CultureInfo.InvariantCulture)} (alone ε", ledgerPage.Html);
        using var web = await WebSession.SignInAsync(host, researcherUser);
        Assert.Contains($"DP binning {plan.BinningRho.ToString("G4", CultureInfo.InvariantCulture)}", (await web.GetAsync($"/ui/releases/{releaseId}")).Html);

        // The command line: rgw budget show prints the slice beside the release.
        var credentials = Path.Combine(folder, "compliance.json");
        var environment = new Dictionary<string, string?> { ["ReleaseGateway__DataDirectory"] = host.DataDirectory, ["ConnectionStrings__Postgres"] = host.PostgresConnectionString };
        var login = await Rgw.RunAsync(environment, complianceUser.Password + "\n",
            "login", "--gateway", host.BaseAddress.ToString(), "--user", complianceUser.Email, "--password-stdin", "--credentials", credentials);
        Assert.True(login.ExitCode == 0, login.Stderr);
        var shown = await Rgw.RunAsync(environment, null, "budget", "show", datasetId.ToString(), "--credentials", credentials);
        Assert.True(shown.ExitCode == 0, shown.Stderr);
        Assert.Contains("DP BINNING", shown.Stdout);
        Assert.Contains(FormattableString.Invariant($"ρ {plan.BinningRho:G3} (alone ε"), shown.Stdout);
    }
}
