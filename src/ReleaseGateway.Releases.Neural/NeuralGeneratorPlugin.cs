using ReleaseGateway.Datasets.Generators;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Releases.Generators;
using ReleaseGateway.Releases.Reports;
using ReleaseGateway.Synthesis.Neural.Generators;

namespace ReleaseGateway.Releases.Neural;

/// <summary>
/// made: DP-SGD, accounted per example in Rényi DP with the release checks' and DP binning's ρ reserved before σ is calibrated; its Rényi
/// curve is the accounted cost (ADR 0034). No shadow model (see the descriptor). Installed by <see cref="GeneratorPlugins"/>
/// on the nodes that run neural jobs (ADR 0043).
/// </summary>
public sealed class NeuralGeneratorPlugin : IGeneratorPlugin
{
    public IReadOnlyList<GeneratorEntry> Entries { get; } =
    [
        new(GeneratorCatalog.Made, typeof(NeuralSynthesizer).Assembly, Run, shadow: null, plugin: GeneratorRegistry.NeuralPlugin),
    ];

    private static GeneratorOutput Run(GeneratorRun r)
    {
        var result = NeuralSynthesizer.Run(r.Train!,
            new NeuralSynthesisOptions { Epsilon = r.Epsilon, Delta = r.Delta, Rows = r.Rows, ReservedRho = r.Budget.GateRho + r.Budget.BinningRho, Random = r.Random },
            new GeneratorRegistry.SyncProgress<NeuralTrainingProgress>(p => r.Progress((double)p.Step / Math.Max(1, p.Steps),
                $"epoch {p.Epoch:0.#}, step {p.Step}/{p.Steps}, ε spent {p.EpsilonSpent:0.###}")));
        return new GeneratorOutput(result.Table, new PrivacyCost(0, result.Accountant.TotalRdp.ToArray()), DpMeasurements.None,
            new Dictionary<string, object>
            {
                ["epsilonSpent"] = result.EpsilonSpent,
                ["noiseMultiplier"] = result.NoiseMultiplier,
                ["samplingRate"] = result.SamplingRate,
                ["steps"] = result.Steps,
                ["charges"] = result.Accountant.Charges.Select(c => c.Label).ToArray(),
            });
    }
}
