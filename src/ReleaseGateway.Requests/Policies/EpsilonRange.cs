using ReleaseGateway.Privacy.Mechanisms;

namespace ReleaseGateway.Requests.Policies;

/// <summary>
/// An upper bound on the noise scale σ of every measurement the generators make for a release of <c>columns</c> columns at
/// (ε, δ): the synthesis module's <c>Synthesizer.LargestNoiseScale</c>. The host passes it in (the workflow does not
/// reference synthesis, ADR 0032), as it passes the evaluation module's gate check.
/// </summary>
public delegate double NoiseScaleBound(double epsilon, double delta, int columns);

/// <summary>
/// Which ε a release can be made with (issue 15, row 5): from the policy's <c>minEpsilonPerRelease</c> to its
/// <c>maxEpsilonPerRelease</c>, and large enough that the generators' noise stays within what the discrete Gaussian sampler
/// draws exactly (σ ≤ <see cref="DiscreteGaussian.MaxSigma"/>). Checked on every request, resubmission and regeneration
/// vote, and on the policy's own minimum (for <see cref="ReferenceColumns"/> columns) when the policies are loaded.
/// </summary>
public static class EpsilonRange
{
    /// <summary>The widest request the gateway takes, and the width a policy's minimum ε is checked for at start-up.</summary>
    public const int ReferenceColumns = 1000;

    public const double MaxSigma = DiscreteGaussian.MaxSigma;

    /// <summary>Whether (ε, δ) can be realised for <paramref name="columns"/> columns; without a bound only ε itself is checked.</summary>
    public static bool Realisable(NoiseScaleBound? noiseScale, double epsilon, double delta, int columns) =>
        epsilon > 0 && double.IsFinite(epsilon) && (noiseScale is null || noiseScale(epsilon, delta, Math.Max(1, columns)) <= MaxSigma);
}
