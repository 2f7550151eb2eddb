using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using ReleaseGateway.EventStore;
using ReleaseGateway.EventStore.Audit;
using ReleaseGateway.IntegrationTests.Infrastructure;
using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Releases.Budget;
using static ReleaseGateway.IntegrationTests.Requests.RequestsApi;

namespace ReleaseGateway.IntegrationTests.Releases;

/// <summary>
/// A gateway that does not run pipeline jobs (approved requests stay Approved), with a policy whose cap fits exactly
/// five releases of ε = 0.5: composed in zCDP, 5 rho convert to less than the cap and 6 rho to more.
/// </summary>
public static class ReservationPolicies
{
    public const double Epsilon = 0.5;
    public const double Delta = 1e-6;

    public static void Apply(IDictionary<string, string?> settings)
    {
        var directory = PipelinePolicies.CreateDirectory();
        var rho = ZcdpConversion.Rho(Epsilon, Delta);
        var cap = ZcdpConversion.Epsilon(5.5 * rho, Delta);
        File.WriteAllText(Path.Combine(directory, "five.yaml"), $"""
            budget:
              epsilon: {cap.ToString("R", CultureInfo.InvariantCulture)}
              delta: {Delta.ToString("R", CultureInfo.InvariantCulture)}
            maxEpsilonPerRelease: 1.0
            maxReleases: 30
            """);
        settings["ReleaseGateway:PoliciesDirectory"] = directory;
    }
}

public sealed class SqliteReservationHost : SqliteGatewayHost
{
    protected override void Configure(IDictionary<string, string?> settings) => ReservationPolicies.Apply(settings);
}

public sealed class PostgresReservationHost : PostgresGatewayHost
{
    protected override void Configure(IDictionary<string, string?> settings) => ReservationPolicies.Apply(settings);
}

public sealed class BudgetReservationTestsOnSqlite(SqliteReservationHost host) : BudgetReservationTests<SqliteReservationHost>(host);

public sealed class BudgetReservationTestsOnPostgres(PostgresReservationHost host) : BudgetReservationTests<PostgresReservationHost>(host);

/// <summary>Reservations made by approvals over HTTP: never more than the cap, even when approvals race; given back on withdrawal.</summary>
public abstract class BudgetReservationTests<THost>(THost host) : IClassFixture<THost> where THost : GatewayHost
{
    [Fact]
    public async Task Bug_budget_double_spend_TwentySimultaneousApprovals_OnABudgetThatFitsFive_ReserveExactlyFive()
    {
        var s = await ReleaseScenario.StartAsync(host, "five");
        var requests = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            var id = await s.SubmitAndAcceptAsync(epsilon: ReservationPolicies.Epsilon);
            await Json(await s.Members[0].PostAsJsonAsync($"/decisions/{id}/votes", new { decision = "approve", reason = "ok" }), HttpStatusCode.OK);
            requests.Add(id);
        }

        var deciding = await Task.WhenAll(requests.Select(id =>
            s.Members[1].PostAsJsonAsync($"/decisions/{id}/votes", new { decision = "approve", reason = "ok" })));

        Assert.Equal(5, deciding.Count(r => r.StatusCode == HttpStatusCode.OK));
        foreach (var refused in deciding.Where(r => r.StatusCode != HttpStatusCode.OK))
            await Problem(refused, HttpStatusCode.Conflict, "RG3001");
        var ledger = await Json(await s.Compliance.GetAsync($"/datasets/{s.DatasetId}/budget"), HttpStatusCode.OK);
        Assert.Equal(5, ledger["entries"]!.AsArray().Count);
        Assert.True((double)ledger["epsilonCommitted"]! <= (double)ledger["capEpsilon"]!);
        var approved = 0;
        foreach (var id in requests)
            if ((await host.EventStore.FetchStreamAsync(id)).Any(e => e.EventType == "AccessRequestApproved")) approved++;
        Assert.Equal(5, approved);
        // Each refused approval is on the record (issue 15, row 10), beside its request: who, what, why.
        var refusals = (await host.EventStore.QueryEventsAsync(new EventQuery { EventTypes = [nameof(CommandRefused)], Limit = EventQuery.MaxLimit }))
            .Events.Select(e => e.Data).OfType<CommandRefused>().Where(r => requests.Contains(r.StreamId)).ToList();
        Assert.Equal(15, refusals.Count(r => r.Command == "vote" && r.Code == "RG3001"));
    }

    [Fact]
    public async Task Given_ApprovedRequest_When_WithdrawnBeforeGeneration_Then_ItsReservationIsGivenBack()
    {
        var s = await ReleaseScenario.StartAsync(host, "withdraw");
        var id = await s.SubmitAndAcceptAsync(epsilon: 0.5);
        await Json(await s.ApproveAsync(id), HttpStatusCode.OK);
        var reserved = await Json(await s.Steward.GetAsync($"/datasets/{s.DatasetId}/budget"), HttpStatusCode.OK);
        Assert.Single(reserved["entries"]!.AsArray());
        Assert.Equal(0, (double)reserved["epsilonSpent"]!);

        await Json(await s.Researcher.PostAsync($"/requests/{id}/withdraw", null), HttpStatusCode.OK);

        var after = await Json(await s.Steward.GetAsync($"/datasets/{s.DatasetId}/budget"), HttpStatusCode.OK);
        Assert.Empty(after["entries"]!.AsArray());
        Assert.Equal(nameof(PrivacyBudgetReservationReleased), (string?)after["history"]!.AsArray().Last()!["event"]);
    }
}
