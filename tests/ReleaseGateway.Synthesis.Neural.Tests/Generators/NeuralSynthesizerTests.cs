using System.Reflection;
using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Synthesis.Neural.Generators;

namespace ReleaseGateway.Synthesis.Neural.Tests.Generators;

public sealed class NeuralSynthesizerTests
{
    /// <summary>Two columns of 4 codes, the second equal to the first in 90% of 3000 rows (seed 5).</summary>
    private static EncodedTable DependentTable()
    {
        var random = new SeededRandomSource(5);
        var a = new int[3000];
        var b = new int[3000];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = random.NextInt(4);
            b[i] = random.NextDouble() < 0.9 ? a[i] : random.NextInt(4);
        }

        return new EncodedTable(["a", "b"], [4, 4], [a, b]);
    }

    [Fact]
    public void Given_Table_When_Synthesized_Then_BudgetIsSpentExactlyAndProgressReportsEpsilonSoFar()
    {
        var reports = new List<NeuralTrainingProgress>();
        NeuralSynthesisResult result = NeuralSynthesizer.Run(DependentTable(), new NeuralSynthesisOptions { Epsilon = 1, Seed = 1, Epochs = 2, Hidden = 16 },
            new SynchronousProgress(reports.Add));

        Assert.InRange(result.EpsilonSpent, 0.99, 1.0);
        Assert.Equal(3, result.Accountant.Charges.Count);
        Assert.NotEmpty(reports);
        Assert.Equal(result.Steps, reports[^1].Step);
        Assert.True(reports.Zip(reports.Skip(1), (x, y) => x.EpsilonSpent < y.EpsilonSpent).All(x => x));
        Assert.InRange(reports[^1].EpsilonSpent, result.EpsilonSpent - 1e-9, result.EpsilonSpent + 1e-9);
        Assert.Equal(result.NoisyRecordCount, result.Table.RowCount);
        Assert.Equal(["a", "b"], result.Table.ColumnNames);
    }

    [Fact]
    public void Given_StronglyDependentColumns_When_TrainedWithWeakPrivacy_Then_SamplesKeepTheDependence()
    {
        // epsilon = 50 leaves little noise; seed 2. Independent columns would agree in 25% of rows, the
        // data in 92.5%; require more than 50% (a learnt dependence, far from both chance and the tolerance).
        NeuralSynthesisResult result = NeuralSynthesizer.Run(DependentTable(), new NeuralSynthesisOptions { Epsilon = 50, Seed = 2, Epochs = 5, Hidden = 16, Rows = 2000 });

        ReadOnlySpan<int> a = result.Table.Column(0), b = result.Table.Column(1);
        int agree = 0;
        for (int i = 0; i < a.Length; i++)
        {
            agree += a[i] == b[i] ? 1 : 0;
        }

        Assert.Equal(2000, a.Length);
        Assert.True(agree > 1000, $"only {agree} of 2000 rows agree");
    }

    [Fact]
    public void Given_SameSeed_When_SynthesizedTwice_Then_TablesAreIdentical()
    {
        var options = new NeuralSynthesisOptions { Epsilon = 1, Seed = 9, Epochs = 1, Hidden = 8, Rows = 200 };
        EncodedTable first = NeuralSynthesizer.Run(DependentTable(), options).Table;
        EncodedTable second = NeuralSynthesizer.Run(DependentTable(), options).Table;

        Assert.Equal(first.Column(0).ToArray(), second.Column(0).ToArray());
        Assert.Equal(first.Column(1).ToArray(), second.Column(1).ToArray());
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(3.0)]
    public void Given_Run_When_ItsRenyiCurveIsChargedAsTheLedgerDoes_Then_OneValuePerDefaultOrderConvertsToAtMostEpsilon(double epsilon)
    {
        const double delta = 1e-9;
        NeuralSynthesisResult result = NeuralSynthesizer.Run(DependentTable(), new NeuralSynthesisOptions { Epsilon = epsilon, Delta = delta, Seed = 4, Epochs = 1, Hidden = 8, Rows = 10 });

        // The ledger's PrivacyCost(0, TotalRdp) needs one value per default order, in that order ...
        Assert.Equal(SubsampledGaussianRdp.DefaultOrders, result.Accountant.Orders);
        Assert.Equal(SubsampledGaussianRdp.DefaultOrders.Count, result.Accountant.TotalRdp.Count);
        // ... and converts it with a fresh accountant on those orders (PrivacyCost.EpsilonAt).
        var ledger = new RenyiAccountant();
        ledger.Compose("made", result.Accountant.TotalRdp.ToArray());
        double charged = ledger.Epsilon(delta).Epsilon;
        Assert.True(charged <= epsilon, $"charged {charged:R} > requested {epsilon}");
        Assert.InRange(charged, 0.99 * epsilon, epsilon);
        Assert.Equal(result.EpsilonSpent, charged, 12);
    }

    [Fact]
    public void Given_GeneratorVersion_When_ComparedWithTheAssembly_Then_TheyAgree()
    {
        string? informational = typeof(NeuralSynthesizer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

        Assert.NotNull(informational);
        Assert.True(informational == NeuralSynthesizer.Version || informational.StartsWith(NeuralSynthesizer.Version + "+", StringComparison.Ordinal),
            $"assembly {informational}, NeuralSynthesizer.Version {NeuralSynthesizer.Version}: change both together");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(double.NaN)]
    public void Given_InvalidEpsilon_When_Run_Then_RejectedBeforeTouchingData(double epsilon)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NeuralSynthesizer.Run(DependentTable(), new NeuralSynthesisOptions { Epsilon = epsilon }));
    }

    private sealed class SynchronousProgress(Action<NeuralTrainingProgress> report) : IProgress<NeuralTrainingProgress>
    {
        public void Report(NeuralTrainingProgress value) => report(value);
    }
}
