using ReleaseGateway.Synthesis.Models;

namespace ReleaseGateway.Synthesis.Synthesizers;

internal static class AimSynthesizer
{
    public static (GraphicalModel Model, List<int[]> Cliques) Run(Measurer measurer, IReadOnlyList<string> names, double rho, IProgress<SynthesisProgress>? progress) =>
        MstSynthesizer.Run(measurer, names, rho, progress);
}
