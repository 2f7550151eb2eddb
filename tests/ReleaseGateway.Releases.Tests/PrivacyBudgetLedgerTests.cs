using ReleaseGateway.EventStore;
using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Releases.Budget;

namespace ReleaseGateway.Releases.Tests;

public sealed class PrivacyBudgetLedgerTests
{
    private static readonly Guid Dataset = Guid.CreateVersion7();
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private const double ReleaseDelta = 1e-9;

    private static PrivacyBudgetLedger Given(params object[] events) => events.Aggregate(PrivacyBudgetLedger.Empty(Dataset), (l, e) => l.Apply(e));

    private static readonly BudgetCap Generous = new(100, 1e-9, 100);

    private static PrivacyBudgetReserved Reserved(Guid release, double epsilon, Guid? request = null) =>
        new(Dataset, release, request ?? Guid.NewGuid(), PrivacyCost.ForZcdpRelease(epsilon, ReleaseDelta), epsilon, ReleaseDelta, 0, "member-1", Now);

    [Fact]
    public void Given_SeveralReleases_When_Charged_Then_TheyComposeInZcdpNotByAddingEpsilons()
    {
        // Two epsilon = 1 zCDP releases: rho adds (Bun & Steinke 2016), and the tight conversion of 2 rho is far below 2.
        var ledger = Given(Reserved(Guid.NewGuid(), 1), Reserved(Guid.NewGuid(), 1));
        var rho = ZcdpConversion.Rho(1, ReleaseDelta);
        Assert.Equal(2 * rho, ledger.Committed.Rho, 12);
        Assert.Equal(ZcdpConversion.Epsilon(2 * rho, ReleaseDelta), ledger.Committed.EpsilonAt(ReleaseDelta), 9);
        Assert.InRange(ledger.Committed.EpsilonAt(ReleaseDelta), 1.0, 1.6);
    }

    [Fact]
    public void Given_AFullLedgerRestartedByANewVersion_When_Reserving_Then_OnlyReleasesAfterTheRestartCompose()
    {
        var cap = new BudgetCap(2.0, 1e-9, 2);
        var first = Guid.NewGuid();
        var ledger = Given(Reserved(first, 1), new PrivacyBudgetCharged(Dataset, first, Guid.NewGuid(), 1, "pipeline", Now), Reserved(Guid.NewGuid(), 1));
        Assert.Equal(0, ledger.RemainingEpsilon(cap, ReleaseDelta));

        var restarted = ledger.Apply(new PrivacyBudgetLedgerRestarted(Dataset, 2, "policy 'cohorts': a new cohort each year", "steward", Now));
        Assert.Empty(restarted.Entries);
        Assert.Equal(0, restarted.Committed.Rho);
        Assert.NotNull(restarted.Reserve(cap, Guid.NewGuid(), Guid.NewGuid(), PrivacyCost.ForZcdpRelease(1, ReleaseDelta), 1, ReleaseDelta, "m", Now).Reserved);
    }

    [Fact]
    public void Given_AFullLedger_When_Reserving_Then_RefusedWithTheRemainingBudgetInTheMessage()
    {
        var cap = new BudgetCap(2.0, 1e-9, 10);
        var ledger = Given(Reserved(Guid.NewGuid(), 1), Reserved(Guid.NewGuid(), 1));
        var decision = ledger.Reserve(cap, Guid.NewGuid(), Guid.NewGuid(), PrivacyCost.ForZcdpRelease(1.5, ReleaseDelta), 1.5, ReleaseDelta, "m", Now);

        Assert.Equal(BudgetRefusal.CapExceeded, decision.Refusal);
        var remaining = ledger.RemainingEpsilon(cap, ReleaseDelta);
        Assert.InRange(remaining, 0.01, 1.5);
        Assert.Contains($"{remaining:G4}", decision.Message);
        // ...and the remaining figure is exact: a release of that size fits, a slightly larger one does not.
        Assert.NotNull(ledger.Reserve(cap, Guid.NewGuid(), Guid.NewGuid(), PrivacyCost.ForZcdpRelease(remaining * 0.999, ReleaseDelta), remaining, ReleaseDelta, "m", Now).Reserved);
        Assert.Null(ledger.Reserve(cap, Guid.NewGuid(), Guid.NewGuid(), PrivacyCost.ForZcdpRelease(remaining * 1.01, ReleaseDelta), remaining, ReleaseDelta, "m", Now).Reserved);
    }

    [Fact]
    public void Given_ACharge_When_Released_Then_Refused_BecauseSpentBudgetIsNeverRefunded()
    {
        var release = Guid.NewGuid();
        var request = Guid.NewGuid();
        var ledger = Given(Reserved(release, 1, request));
        var charged = ledger.Charge(release, "system", Now, Generous);
        Assert.NotNull(charged);
        ledger = ledger.Apply(charged);

        Assert.Empty(ledger.ReleaseUncharged(request, "withdrawn", "researcher", Now));
        Assert.Null(ledger.Charge(release, "system", Now, Generous)); // a resumed job charges once
        Assert.Equal(ledger.Committed, ledger.Spent);
    }

    [Fact]
    public void Given_AReservation_When_ReleasedBeforeGeneration_Then_TheBudgetIsFreeAgain()
    {
        var request = Guid.NewGuid();
        var ledger = Given(Reserved(Guid.NewGuid(), 1, request));
        ledger = ledger.ReleaseUncharged(request, "withdrawn", "researcher", Now).Aggregate(ledger, (l, e) => l.Apply(e));
        Assert.Empty(ledger.Entries);
        Assert.Equal(0, ledger.Committed.EpsilonAt(1e-9));
    }

    [Fact]
    public void Given_NoReservation_When_Charging_Then_Refused() =>
        Assert.Throws<InvalidOperationException>(() => Given().Charge(Guid.NewGuid(), "system", Now, Generous));

    [Fact]
    public void Given_LedgerAtItsMaximumNumberOfReleases_When_AnotherIsReserved_Then_RefusedAsTooMany()
    {
        var ledger = Given(Reserved(Guid.NewGuid(), 0.1));
        var decision = ledger.Reserve(new BudgetCap(100, 1e-6, 1), Guid.NewGuid(), Guid.NewGuid(), PrivacyCost.ForZcdpRelease(0.1, ReleaseDelta), 0.1, ReleaseDelta, "m", Now);
        Assert.Equal(BudgetRefusal.TooManyReleases, decision.Refusal);
    }

    [Fact]
    public void Given_ZcdpChargeAndARenyiCurve_When_AddedInOneCost_Then_ItsEpsilonIsTheRenyiAccountantsComposition()
    {
        var dpSgd = SubsampledGaussianRdp.Rdp(0.01, 1.1, 1000, SubsampledGaussianRdp.DefaultOrders);
        var total = new PrivacyCost(ZcdpConversion.Rho(1, 1e-9)).Add(new PrivacyCost(0, dpSgd));
        var accountant = new RenyiAccountant();
        accountant.ComposeZcdp("mst", ZcdpConversion.Rho(1, 1e-9));
        accountant.Compose("dp-sgd", dpSgd);
        Assert.Equal(accountant.Epsilon(1e-9).Epsilon, total.EpsilonAt(1e-9), 12);
        Assert.True(total.EpsilonAt(1e-9) > new PrivacyCost(ZcdpConversion.Rho(1, 1e-9)).EpsilonAt(1e-9));
    }

    [Fact]
    public void Given_AGeneratorThatAccountsItsOwnRun_When_ItsCostIsRecorded_Then_TheLedgerHoldsTheUpperBoundOfChargeAndCurve()
    {
        var release = Guid.NewGuid();
        var ledger = Given(Reserved(release, 1));
        ledger = ledger.Apply(ledger.Charge(release, "system", Now, Generous)!);
        var curve = new PrivacyCost(0, SubsampledGaussianRdp.Rdp(0.01, 1.1, 1000, SubsampledGaussianRdp.DefaultOrders));

        ledger = ledger.Apply(ledger.RecordAccountedCost(release, curve, "system", Now, Generous));

        var charge = PrivacyCost.ForZcdpRelease(1, ReleaseDelta);
        Assert.True(ledger.Spent.EpsilonAt(1e-9) >= Math.Max(curve.EpsilonAt(1e-9), charge.EpsilonAt(1e-9)) - 1e-12);
        Assert.Equal(charge.UpperBound(curve).EpsilonAt(1e-9), ledger.Spent.EpsilonAt(1e-9), 12);
    }

    [Fact]
    public void Given_ARunThatWasNeverCharged_When_ItsCostIsRecorded_Then_Refused()
    {
        var release = Guid.NewGuid();
        var ledger = Given(Reserved(release, 1));
        var curve = new PrivacyCost(0, SubsampledGaussianRdp.Rdp(0.01, 1.1, 1000, SubsampledGaussianRdp.DefaultOrders));
        Assert.Throws<InvalidOperationException>(() => ledger.RecordAccountedCost(release, curve, "system", Now, Generous));
    }
}
