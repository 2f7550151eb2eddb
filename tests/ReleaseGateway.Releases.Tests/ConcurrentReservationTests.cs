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
    public async Task Bug_budget_double_spend_under_concurrent_approvals()
    {
        var dataset = Guid.CreateVersion7();
        const double epsilon = 1, delta = 1e-9;
        var five = Enumerable.Range(0, 5).Aggregate(PrivacyCost.Zero, (c, _) => c.Add(PrivacyCost.ForZcdpRelease(epsilon, delta)));
        var cap = new BudgetCap(five.EpsilonAt(1e-6) * 1.0001, 1e-6, 100);
        var ledgers = new PrivacyBudgetLedgers(_store, TimeProvider.System);

        var decisions = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            ledgers.ReserveAsync(dataset, cap, Guid.CreateVersion7(), Guid.CreateVersion7(), epsilon, delta, new EventMetadata($"member-{i}", "CommitteeMember", $"corr-{i}")))));

        Assert.Equal(5, decisions.Count(d => d.Reserved is not null));
        Assert.All(decisions.Where(d => d.Reserved is null), d => Assert.Equal(BudgetRefusal.CapExceeded, d.Refusal));
        var ledger = await ledgers.LoadAsync(dataset);
        Assert.Equal(5, ledger.Entries.Count);
        Assert.True(ledger.Committed.EpsilonAt(cap.Delta) <= cap.Epsilon);
        Assert.True((await EventStore.Verification.ChainVerifier.VerifyStoreAsync(_store)).Intact);
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
