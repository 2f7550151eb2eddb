using ReleaseGateway.Privacy.Mechanisms;
using ReleaseGateway.Synthesis.Synthesizers;

namespace ReleaseGateway.Requests.Policies;

/// <summary>
/// Which ε a release can be made with (issue 15, row 5): at least the policy's <c>minEpsilonPerRelease</c>, and large enough
/// that the synthesizers' noise stays within what the discrete Gaussian sampler draws exactly (σ ≤ 2^20; see
/// <see cref="Synthesizer.LargestNoiseScale"/>). Checked on every request, resubmission and regeneration vote, and on the
/// policy's own minimum when it is loaded.
/// </summary>
public static class EpsilonRange
{
    /// <summary>The table width a policy's minimum ε is checked for at load time; requests are checked for their own columns.</summary>
    public const int ReferenceColumns = 1000;

    public const double MaxSigma = DiscreteGaussian.MaxSigma;

    public static bool Realisable(double epsilon, double delta, int columns) =>
        epsilon > 0 && double.IsFinite(epsilon) && delta is > 0 and < 1 && Synthesizer.LargestNoiseScale(epsilon, delta, Math.Max(1, columns)) <= MaxSigma;
}
