using ReleaseGateway.EventStore;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Testing;

namespace ReleaseGateway.Releases.Tests;

/// <summary>Twenty approvals racing for a budget that fits five: exactly five reservations, on both backends.</summary>
public abstract class ConcurrentReservationTests : IAsyncLifetime
{
    private IEventStore _store = null!;

    protected abstract Task<EventStoreSettings> SettingsAsync();

    public async Task InitializeAsync()
    {
        var options = new EventStoreOptions();
        PrivacyBudgetLedgers.Register(options);
        _store = EventStoreFactory.Create(await SettingsAsync(), options, TimeProvider.System);
    }

    public async Task DisposeAsync() => await ((IAsyncDisposable)_store).DisposeAsync();

    [Fact]
    public async Task Given_BudgetThatFitsFive_When_TwentyReservationsRace_Then_ExactlyFiveLand()
    {
        var dataset = Guid.CreateVersion7();
        const double epsilon = 1, delta = 1e-9;
        var five = Enumerable.Range(0, 5).Aggregate(PrivacyCost.Zero, (c, _) => c.Add(PrivacyCost.ForZcdpRelease(epsilon, delta)));
        var cap = new BudgetCap(five.EpsilonAt(1e-6) * 1.0001, 1e-6, 100);
        var ledgers = new PrivacyBudgetLedgers(_store);

        var decisions = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            ReserveAsync(ledgers, dataset, cap, epsilon, delta, new EventMetadata($"member-{i}", "CommitteeMember", $"corr-{i}")))));

        Assert.Equal(5, decisions.Count(d => d.Reserved is not null));
        Assert.All(decisions.Where(d => d.Reserved is null), d => Assert.Equal(BudgetRefusal.CapExceeded, d.Refusal));
        var ledger = await ledgers.LoadAsync(dataset);
        Assert.Equal(5, ledger.Entries.Count);
        Assert.True(ledger.Committed.EpsilonAt(cap.Delta) <= cap.Epsilon);
        Assert.True((await EventStore.Verification.ChainVerifier.VerifyStoreAsync(_store)).Intact);
    }

    /// <summary>
    /// What an approval does (<see cref="BudgetReservationHook"/>, through the request's retry): decide on the ledger
    /// as loaded, stage the reservation at that version, and decide again on fresh state when another writer won.
    /// </summary>
    private async Task<BudgetDecision> ReserveAsync(PrivacyBudgetLedgers ledgers, Guid dataset, BudgetCap cap, double epsilon, double delta, EventMetadata metadata)
    {
        while (true)
        {
            var ledger = await ledgers.LoadAsync(dataset);
            var decision = ledger.Reserve(cap, Guid.CreateVersion7(), Guid.CreateVersion7(), PrivacyCost.ForZcdpRelease(epsilon, delta), epsilon, delta,
                metadata.ActorId, DateTimeOffset.UtcNow);
            if (decision.Reserved is null) return decision;
            try
            {
                await using var session = _store.OpenSession(metadata);
                PrivacyBudgetLedgers.Stage(session, ledger, decision.Reserved);
                await session.SaveChangesAsync();
                return decision;
            }
            catch (StreamVersionConflictException)
            {
            }
        }
    }
}

public sealed class SqliteConcurrentReservationTests : ConcurrentReservationTests
{
    protected override Task<EventStoreSettings> SettingsAsync() =>
        Task.FromResult(new EventStoreSettings(Path.Combine(Path.GetTempPath(), "rgw-releases-tests", Guid.NewGuid().ToString("N")), null));
}

public sealed class PostgresConcurrentReservationTests : ConcurrentReservationTests
{
    protected override async Task<EventStoreSettings> SettingsAsync() =>
        new(Path.GetTempPath(), await PostgresCluster.Shared.CreateDatabaseAsync($"budget_{Guid.NewGuid():N}"));
}
