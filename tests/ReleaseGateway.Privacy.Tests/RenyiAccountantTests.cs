using ReleaseGateway.Privacy.Accounting;

namespace ReleaseGateway.Privacy.Tests;

/// <summary>
/// Known answers published with TensorFlow Privacy and Opacus. Each test names the file and the
/// conversion the published number was computed with (classic: Mironov 2017 Prop. 3; improved:
/// Canonne-Kamath-Steinke 2020 Prop. 12).
/// </summary>
public sealed class RenyiAccountantTests
{
    // Orders of TF Privacy's compute_dp_sgd_privacy(_lib).py.
    private static readonly double[] TfDpSgdOrders =
        [1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5, .. Enumerable.Range(5, 59).Select(x => (double)x), 128, 256, 512];

    // Opacus RDPAccountant.DEFAULT_ALPHAS.
    private static readonly double[] OpacusOrders =
        [.. Enumerable.Range(1, 99).Select(x => 1 + x / 10.0), .. Enumerable.Range(12, 52).Select(x => (double)x)];

    private static (double Epsilon, double Order) DpSgd(int n, int batch, double sigma, double epochs, double delta, bool classic)
    {
        long steps = (long)Math.Ceiling(epochs * n / batch);
        double[] rdp = SubsampledGaussianRdp.Rdp((double)batch / n, sigma, steps, TfDpSgdOrders);
        return classic ? RenyiAccountant.ClassicEpsilon(TfDpSgdOrders, rdp, delta) : RenyiAccountant.ImprovedEpsilon(TfDpSgdOrders, rdp, delta);
    }

    [Fact]
    public void Given_TfPrivacyScalarCase_When_RdpComputed_Then_MatchesPublishedValue()
    {
        // tensorflow/privacy rdp_accountant_test.py, test_compute_rdp_scalar: compute_rdp(0.1, 2, 10, 5) = 0.07737 (5 places).
        Assert.Equal(0.07737, SubsampledGaussianRdp.Rdp(0.1, 2, 10, [5.0])[0], 5);
    }

    [Fact]
    public void Given_TfPrivacySequenceCase_When_RdpComputedAtIntegerAndFractionalOrders_Then_MatchesPublishedValuesToRelative1e4()
    {
        // tensorflow/privacy rdp_accountant_test.py, test_compute_rdp_sequence (rtol = 1e-4).
        double[] orders = [1.5, 2.5, 5, 50, 100, double.PositiveInfinity];
        double[] expected = [6.5007e-04, 1.0854e-03, 2.1808e-03, 2.3846e-02, 1.6742e+02, double.PositiveInfinity];

        double[] rdp = SubsampledGaussianRdp.Rdp(0.01, 2.5, 50, orders);

        for (int i = 0; i < 5; i++)
        {
            Assert.InRange(rdp[i], expected[i] * (1 - 1e-4), expected[i] * (1 + 1e-4));
        }

        Assert.True(double.IsPositiveInfinity(rdp[5]));
    }

    [Fact]
    public void Given_NoSamplingOrNoData_When_RdpComputed_Then_GaussianAndZeroCasesHold()
    {
        // rdp_accountant_test.py: test_compute_rdp_no_sampling (q = 1: alpha / (2 sigma^2) = 0.1) and test_compute_rdp_no_data (q = 0).
        Assert.Equal(0.1, SubsampledGaussianRdp.Rdp(1, 10, 20), 12);
        Assert.Equal(0, SubsampledGaussianRdp.Rdp(0, 10, 20));
    }

    [Fact]
    public void Given_TfPrivacyReadmeExample_When_ClassicConversion_Then_EpsilonIs292()
    {
        // tensorflow/privacy compute_dp_sgd_privacy.py docstring: N=60000, batch 256, noise 1.12, 60 epochs,
        // delta 1e-5 "satisfies (2.92, 1e-5)-DP" -- computed in 2019 with the classic conversion.
        (double epsilon, _) = DpSgd(60000, 256, 1.12, 60, 1e-5, classic: true);

        Assert.Equal(2.92, Math.Round(epsilon, 2));
    }

    [Theory]
    [InlineData(60000, 150, 1.3, 15, 1e-5, 0.7242234026109595, 19.0)]
    [InlineData(100000, 100, 1.0, 30, 1e-7, 1.4154988495444845, 13.0)]
    public void Given_TfPrivacyDpSgdCases_When_ImprovedConversion_Then_EpsilonAndOrderMatch(int n, int batch, double sigma, double epochs, double delta, double expected, double order)
    {
        // tensorflow/privacy compute_dp_sgd_privacy_test.py (Test0, Test1); its rdp_accountant uses the improved conversion.
        (double epsilon, double bestOrder) = DpSgd(n, batch, sigma, epochs, delta, classic: false);

        Assert.Equal(expected, epsilon, 9);
        Assert.Equal(order, bestOrder);
    }

    [Fact]
    public void Given_OpacusAccountantCase_When_ComposedStepByStep_Then_EpsilonMatches()
    {
        // pytorch/opacus opacus/tests/accountants_test.py, test_rdp_accountant: sigma 1.5, q 0.04,
        // int(90 / 0.04) = 2250 steps, delta 1e-5 -> 7.32911117143 (improved conversion, DEFAULT_ALPHAS).
        var accountant = new RenyiAccountant(OpacusOrders);
        accountant.ComposeSubsampledGaussian("first half", 0.04, 1.5, 1125);
        accountant.ComposeSubsampledGaussian("second half", 0.04, 1.5, 1125);

        Assert.Equal(7.32911117143, accountant.Epsilon(1e-5).Epsilon, 7);
    }

    [Fact]
    public void Given_TfPrivacyCompositionCase_When_ClassicConversion_Then_EpsilonIs8509656AndImprovedIsTighter()
    {
        // rdp_accountant_test.py, test_check_composition: 8.509656 at order 2.5 (classic), improved must not exceed it.
        double[] orders = [1.25, 1.5, 1.75, 2, 2.5, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 64, 256];
        var accountant = new RenyiAccountant(orders);
        accountant.ComposeSubsampledGaussian("a", 1e-4, 0.4, 40000);
        accountant.ComposeSubsampledGaussian("b", 0.1, 2, 100);

        (double classic, double order) = RenyiAccountant.ClassicEpsilon(orders, accountant.TotalRdp, 1e-5);

        Assert.Equal(8.509656, classic, 5);
        Assert.Equal(2.5, order);
        Assert.True(accountant.Epsilon(1e-5).Epsilon <= classic);
    }

    [Fact]
    public void Given_ConstantRdp_When_ConvertedBothWays_Then_TfPrivacyHandComputedValuesHold()
    {
        // rdp_accountant_test.py, test_get_privacy_spent_check_target_delta / _eps (improved conversion).
        double[] orders = Enumerable.Range(2, 31).Select(x => (double)x).ToArray();
        double[] rdp = orders.Select(_ => 1.1).ToArray();

        (double epsilon, double order) = RenyiAccountant.ImprovedEpsilon(orders, rdp, 1e-5);

        Assert.Equal(1.32783806176, epsilon, 10);
        Assert.Equal(32, order);
        Assert.Equal(1e-5, RenyiAccountant.ImprovedDelta(orders, rdp, 1.32783806176), 12);
    }

    [Fact]
    public void Given_GaussianScaledForExactly1And1e6_When_ConvertedOnFineGrid_Then_EpsilonIs1()
    {
        // rdp_accountant_test.py: compute_rdp(1, 4.530877117, 1, orders) with orders 0.001 i gives eps = 1 at delta = 1e-6 (7 places).
        double[] orders = Enumerable.Range(1011, 100000 - 1011).Select(i => 0.001 * i).ToArray();
        double[] rdp = SubsampledGaussianRdp.Rdp(1, 4.530877117, 1, orders);

        Assert.Equal(1, RenyiAccountant.ImprovedEpsilon(orders, rdp, 1e-6).Epsilon, 7);
    }

    [Fact]
    public void Given_OpacusCalibrationCase_When_NoiseCalibrated_Then_SigmaMeetsTargetAndIsBelowOpacusCoarseBisection()
    {
        // opacus accountants_test.py, test_get_noise_multiplier: eps 8, delta 1e-5, q 0.04, 90 epochs -> 1.425307617,
        // found by a bisection that stops when the sigma bracket is narrower than 0.01 and returns its upper end.
        double sigma = RenyiAccountant.CalibrateNoiseMultiplier(8, 1e-5, 0.04, 2250, OpacusOrders);

        Assert.InRange(sigma, 1.425307617 - 0.011, 1.425307617);
        double EpsilonAt(double s) => RenyiAccountant.ImprovedEpsilon(OpacusOrders, SubsampledGaussianRdp.Rdp(0.04, s, 2250, OpacusOrders), 1e-5).Epsilon;
        Assert.True(EpsilonAt(sigma) <= 8);
        Assert.True(EpsilonAt(sigma * (1 - 1e-5)) > 8);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(3.0)]
    public void Given_ProjectTarget_When_CalibratedAtDelta1e9_Then_TrainingStaysWithinBudget(double target)
    {
        double sigma = RenyiAccountant.CalibrateNoiseMultiplier(target, 1e-9, 0.02, 1000);
        var accountant = new RenyiAccountant();
        accountant.ComposeSubsampledGaussian("dp-sgd", 0.02, sigma, 1000);

        Assert.InRange(accountant.Epsilon(1e-9).Epsilon, target * 0.999, target);
    }

    [Fact]
    public void Given_ZcdpCharge_When_Converted_Then_MatchesTightZcdpConversionFromAbove()
    {
        // rho-zCDP is RDP with eps(alpha) = rho alpha; the improved RDP conversion then equals the CKS zCDP conversion
        // at the optimal alpha, so on a grid it can only be slightly larger.
        foreach (double rho in new[] { 0.01, 0.1, 0.5 })
        {
            var accountant = new RenyiAccountant();
            accountant.ComposeZcdp("marginals", rho);
            double viaRdp = accountant.Epsilon(1e-9).Epsilon;
            double exact = ZcdpConversion.Epsilon(rho, 1e-9);

            Assert.InRange(viaRdp, exact * (1 - 1e-9), exact * 1.01);
        }
    }

    [Fact]
    public void Given_ZcdpAndDpSgdInOneLedger_When_Composed_Then_EpsilonExceedsEachPartAndRdpCurvesAdd()
    {
        var both = new RenyiAccountant();
        both.ComposeZcdp("marginals", 0.05);
        both.ComposeSubsampledGaussian("dp-sgd", 0.01, 1.5, 500);
        var zcdpOnly = new RenyiAccountant();
        zcdpOnly.ComposeZcdp("marginals", 0.05);
        var sgdOnly = new RenyiAccountant();
        sgdOnly.ComposeSubsampledGaussian("dp-sgd", 0.01, 1.5, 500);

        for (int i = 0; i < both.Orders.Count; i++)
        {
            Assert.Equal(zcdpOnly.TotalRdp[i] + sgdOnly.TotalRdp[i], both.TotalRdp[i], 12);
        }

        Assert.True(both.Epsilon(1e-9).Epsilon > Math.Max(zcdpOnly.Epsilon(1e-9).Epsilon, sgdOnly.Epsilon(1e-9).Epsilon));
        Assert.Equal(2, both.Charges.Count);
    }

    [Fact]
    public void Given_MoreNoiseOrFewerSamples_When_RdpComputed_Then_ItNeverIncreases()
    {
        foreach (double order in SubsampledGaussianRdp.DefaultOrders)
        {
            double baseline = SubsampledGaussianRdp.Rdp(0.05, 1.0, order);
            Assert.True(SubsampledGaussianRdp.Rdp(0.05, 1.2, order) <= baseline);
            Assert.True(SubsampledGaussianRdp.Rdp(0.04, 1.0, order) <= baseline);
            Assert.True(baseline <= order / 2.0);
        }
    }
}
