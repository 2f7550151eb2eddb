using System.Globalization;
using System.Text.RegularExpressions;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Privacy.Mechanisms;
using ReleaseGateway.Synthesis.Marginals;
using ReleaseGateway.Synthesis.Synthesizers;
using ReleaseGateway.Testing;

namespace ReleaseGateway.Synthesis.Tests;

/// <summary>Issue 15, row 5: the bound the gateway checks a request's ε against holds for every measurement a real run makes.</summary>
public sealed partial class NoiseScaleBoundTests
{
    [Theory]
    [InlineData(SynthesisMethod.Aim, 0.01)]
    [InlineData(SynthesisMethod.Mst, 0.01)]
    [InlineData(SynthesisMethod.Aim, 1.0)]
    [InlineData(SynthesisMethod.Mst, 1.0)]
    public void Given_ARealRun_When_ItsMeasurementsAreRead_Then_NoSigmaExceedsTheBound(SynthesisMethod method, double epsilon)
    {
        var real = CsvTableReader.Read(Path.Combine(RepositoryPaths.SharedData, "nwtco-disc.csv"),
            DatasetSchema.Load(Path.Combine(RepositoryPaths.SharedData, "nwtco-domain.json")));
        const double delta = 1e-6;
        var result = Synthesizer.Run(new TableMarginalSource(real), new SynthesisOptions { Method = method, Epsilon = epsilon, Delta = delta, Seed = 3 });

        var sigmas = result.Charges.Select(c => SigmaSquared().Match(c.Label)).Where(m => m.Success)
            .Select(m => Math.Sqrt(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))).ToList();
        Assert.NotEmpty(sigmas);
        var bound = Synthesizer.LargestNoiseScale(epsilon, delta, real.ColumnNames.Count);
        // The sampler rounds sigma^2 up to a multiple of 2^-16 and the label prints 6 digits: a relative slack of 1e-5.
        Assert.All(sigmas, s => Assert.True(s <= bound * (1 + 1e-5), $"sigma {s} above the bound {bound}"));
    }

    [Fact]
    public void Bug_EpsilonOf5e324_NeedsMoreNoiseThanTheSamplerDraws_While0Point01FitsAThousandColumns()
    {
        Assert.True(Synthesizer.LargestNoiseScale(double.Epsilon, 1e-6, 1) > DiscreteGaussian.MaxSigma);
        Assert.True(Synthesizer.LargestNoiseScale(0.01, 1e-6, 1000) <= DiscreteGaussian.MaxSigma);
    }

    [GeneratedRegex(@"discrete Gaussian, sigma\^2 = ([0-9.eE+-]+)\)")]
    private static partial Regex SigmaSquared();
}
