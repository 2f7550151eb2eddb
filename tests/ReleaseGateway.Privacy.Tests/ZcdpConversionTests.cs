using ReleaseGateway.Privacy.Accounting;

namespace ReleaseGateway.Privacy.Tests;

// Reference values: the cdp_delta / cdp_eps / cdp_rho functions of private-pgm (McKenna, mbi/cdp.py),
// which implement Canonne, Kamath and Steinke 2020, Section 2.3, run in Python 3 (1000 bisection
// steps each). Our bisection stops earlier, so agreement is checked to 1e-6 relative.
public class ZcdpConversionTests
{
    private const double Relative = 1e-6;

    [Theory]
    [InlineData(1.0, 1e-9, 0.014973057673588523)]
    [InlineData(0.3, 1e-9, 0.0014767453611007348)]
    [InlineData(3.0, 1e-9, 0.12058242891101999)]
    [InlineData(0.1, 1e-6, 0.0003210476903457401)]
    [InlineData(1.0, 1e-5, 0.03055659519763956)]
    [InlineData(10.0, 1e-6, 1.5392787638667285)]
    public void Given_EpsilonAndDelta_When_ConvertedToRho_Then_ItMatchesPrivatePgmCdpRho(double epsilon, double delta, double expected)
    {
        Assert.Equal(expected, ZcdpConversion.Rho(epsilon, delta), expected * Relative);
    }

    [Theory]
    [InlineData(0.5, 1.0, 0.24684633078294446)]
    [InlineData(0.1, 1.0, 0.008933245771818366)]
    [InlineData(0.02, 1.0, 8.825254987221158e-08)]
    [InlineData(1.0, 5.0, 0.0026120345066204856)]
    public void Given_RhoAndEpsilon_When_ConvertedToDelta_Then_ItMatchesPrivatePgmCdpDelta(double rho, double epsilon, double expected)
    {
        Assert.Equal(expected, ZcdpConversion.Delta(rho, epsilon), expected * Relative);
    }

    [Theory]
    [InlineData(0.5, 1e-6, 5.221534444530169)]
    [InlineData(0.1, 1e-9, 2.7154818867305024)]
    [InlineData(0.02, 1e-9, 1.1632873262978876)]
    public void Given_RhoAndDelta_When_ConvertedToEpsilon_Then_ItMatchesPrivatePgmCdpEps(double rho, double delta, double expected)
    {
        Assert.Equal(expected, ZcdpConversion.Epsilon(rho, delta), expected * Relative);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(1.0)]
    [InlineData(3.0)]
    public void Given_Epsilon_When_ConvertedToRhoAndBack_Then_TheyAreInversesAndRhoIsConservative(double epsilon)
    {
        double rho = ZcdpConversion.Rho(epsilon, 1e-9);
        Assert.True(ZcdpConversion.Delta(rho, epsilon) <= 1e-9);
        Assert.Equal(epsilon, ZcdpConversion.Epsilon(rho, 1e-9), epsilon * Relative);
    }

    [Theory]
    [InlineData(0.001)]
    [InlineData(0.05)]
    [InlineData(1.0)]
    public void Given_Rho_When_ConvertedToEpsilon_Then_ItIsTighterThanTheClassicalBunSteinkeBound(double rho)
    {
        // Bun and Steinke 2016, Proposition 1.3: epsilon = rho + 2 sqrt(rho log(1/delta)).
        double classical = rho + 2 * Math.Sqrt(rho * Math.Log(1e9));
        Assert.True(ZcdpConversion.Epsilon(rho, 1e-9) < classical);
    }

    [Fact]
    public void Given_ZeroRho_When_ConvertedToDelta_Then_ItIsZero() => Assert.Equal(0, ZcdpConversion.Delta(0, 1));

    [Theory]
    [InlineData(-1, 1e-9)]
    [InlineData(1, 0)]
    [InlineData(1, 1)]
    [InlineData(double.NaN, 1e-9)]
    public void Given_InvalidParameters_When_ConvertedToRho_Then_Rejected(double epsilon, double delta)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ZcdpConversion.Rho(epsilon, delta));
    }

    [Fact]
    public void Given_Accountant_When_ChargedBeyondTheBudget_Then_Refused()
    {
        var accountant = new ZcdpAccountant(0.01);
        accountant.Charge("first", 0.006);
        Assert.Throws<InvalidOperationException>(() => accountant.Charge("second", 0.005));
        Assert.Equal(0.006, accountant.SpentRho, 1e-15);
        Assert.Single(accountant.Charges);
    }
    /// <summary>
    /// The bisections stop once their bracket is two adjacent doubles; every step after that would leave the answer as it
    /// is, so stopping early must return exactly (bit for bit) what all 200 steps return.
    /// </summary>
    [Fact]
    public void Given_ConvergedSearch_When_StoppedEarly_Then_ItReturnsExactlyWhatTwoHundredStepsReturn()
    {
        foreach (var delta in new[] { 1e-9, 1e-6, 1e-5 })
        {
            foreach (var rho in new[] { 1e-6, 0.0004, 0.0175, 0.3, 2.5, 40 })
            {
                Assert.Equal(FullDelta(rho, 1.0), ZcdpConversion.Delta(rho, 1.0));
                Assert.Equal(FullEpsilon(rho, delta), ZcdpConversion.Epsilon(rho, delta));
            }
            foreach (var epsilon in new[] { 0.01, 0.5, 1, 4, 100 })
                Assert.Equal(FullRho(epsilon, delta), ZcdpConversion.Rho(epsilon, delta));
        }
    }

    // The conversions as they were before they stopped at convergence: 200 bisection steps each, whatever happens.
    private static double FullDelta(double rho, double epsilon)
    {
        double low = 1.01, high = (epsilon + 1) / (2 * rho) + 2, alpha = (low + high) / 2;
        for (var i = 0; i < 200; i++)
        {
            alpha = (low + high) / 2;
            if ((2 * alpha - 1) * rho - epsilon + Math.Log(1 - 1 / alpha) < 0) low = alpha;
            else high = alpha;
        }
        return Math.Min(Math.Exp((alpha - 1) * (alpha * rho - epsilon) + alpha * Math.Log(1 - 1 / alpha)) / (alpha - 1), 1.0);
    }

    private static double FullEpsilon(double rho, double delta)
    {
        double low = 0, high = rho + 2 * Math.Sqrt(rho * Math.Log(1 / delta));
        for (var i = 0; i < 200; i++)
        {
            var mid = (low + high) / 2;
            if (FullDelta(rho, mid) <= delta) high = mid;
            else low = mid;
        }
        return high;
    }

    private static double FullRho(double epsilon, double delta)
    {
        double low = 0, high = epsilon + 1;
        for (var i = 0; i < 200; i++)
        {
            var mid = (low + high) / 2;
            if (FullDelta(mid, epsilon) <= delta) low = mid;
            else high = mid;
        }
        return low;
    }
}
