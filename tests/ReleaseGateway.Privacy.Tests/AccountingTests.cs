using ReleaseGateway.Privacy.Accounting;

namespace ReleaseGateway.Privacy.Tests;

public class AccountingTests
{
    [Fact]
    public void Given_RowLevelRho_When_GroupOfK_Then_RhoScalesByKSquared()
    {
        // Bun and Steinke 2016, Prop. 1.9: rho-zCDP implies k^2 rho-zCDP for groups of k.
        Assert.Equal(36 * 0.1, GroupPrivacy.RhoForGroup(0.1, 6), 15);
        Assert.Equal(0.1 / 36, GroupPrivacy.RhoPerRow(0.1, 6), 15);
        Assert.Equal(0.1, GroupPrivacy.RhoForGroup(GroupPrivacy.RhoPerRow(0.1, 16), 16), 15);
        Assert.Throws<ArgumentOutOfRangeException>(() => GroupPrivacy.RhoPerRow(0.1, 0));
    }

    [Theory]
    [InlineData(6, 6.5, 7.1)]   // issue 14: "a patient with 6 visits is protected only at epsilon ~ 6.8"
    [InlineData(16, 20, 22)]    // "... with 16 visits at epsilon ~ 21"
    public void Given_RowLevelBudgetAtEpsilonOne_When_PersonHasKRows_Then_PersonLevelEpsilonIsTheIssuesFigure(int k, double low, double high)
    {
        double rho = ZcdpConversion.Rho(1, ZcdpConversion.DefaultDelta);

        Assert.InRange(ZcdpConversion.Epsilon(GroupPrivacy.RhoForGroup(rho, k), ZcdpConversion.DefaultDelta), low, high);
    }

    [Fact]
    public void Given_PersonLevelPlan_When_Created_Then_SlicesAddUpAndRowRhoIsUnitRhoOverKSquared()
    {
        var plan = ReleaseBudgetPlan.Create(1.0, 1e-9, 0.05, 4, perPerson: true);

        Assert.Equal(ZcdpConversion.Rho(1.0, 1e-9), plan.TotalRho);
        Assert.Equal(0.05 * 0.05 / 2, plan.GateRho, 15);
        Assert.Equal(plan.TotalRho, plan.GateRho + plan.SynthesisRhoPerUnit, 15);
        Assert.Equal(plan.SynthesisRhoPerUnit / 16, plan.SynthesisRhoPerRow, 15);
        Assert.Equal("person", plan.Unit);
        Assert.Equal(4, plan.MaxRowsPerPerson);
        Assert.Equal(0.05, plan.GateEpsilon);
        // The promise holds: gates and k rows at the per-row rho compose back to at most (epsilon, delta) per person.
        double perPerson = plan.GateRho + GroupPrivacy.RhoForGroup(plan.SynthesisRhoPerRow, 4);
        Assert.True(ZcdpConversion.Delta(perPerson, 1.0) <= 1e-9 * (1 + 1e-9));
    }

    [Fact]
    public void Given_RowLevelPlan_When_Created_Then_UnitIsRowAndKIsOne()
    {
        var plan = ReleaseBudgetPlan.Create(2.0, 1e-9, 0.05, 1, perPerson: false);

        Assert.Equal("row", plan.Unit);
        Assert.Equal(plan.SynthesisRhoPerUnit, plan.SynthesisRhoPerRow);
        Assert.Throws<ArgumentException>(() => ReleaseBudgetPlan.Create(2.0, 1e-9, 0.05, 3, perPerson: false));
    }

    [Fact]
    public void Given_GateEpsilonThatEatsTheBudget_When_Planned_Then_ClearError()
    {
        // rho(0.1, 1e-9) is about 1.2e-4 < 0.05^2 / 2 = 1.25e-3.
        var error = Assert.Throws<ArgumentException>(() => ReleaseBudgetPlan.Create(0.1, 1e-9, 0.05, 1, perPerson: false));

        Assert.Contains("leaves nothing", error.Message);
        Assert.Equal("gateEpsilon", error.ParamName);
    }
}
