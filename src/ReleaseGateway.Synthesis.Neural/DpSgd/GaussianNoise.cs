using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Synthesis.Neural.DpSgd;

/// <summary>
/// Normal variates from the project's <see cref="IRandomSource"/> (cryptographic in production,
/// seeded in tests) by the Box–Muller transform in double precision, rounded to float32 for the
/// gradients. Torch's own generator is deliberately not used for privacy noise: it is not
/// cryptographically secure. Floating-point Gaussian noise is the practice of Opacus and TF Privacy;
/// its known caveat (rounding artefacts, Mironov 2012; Jin et al. 2022) is recorded in docs/neural.md.
/// </summary>
public static class GaussianNoise
{
    /// <summary>Fills <paramref name="target"/> with independent N(0, <paramref name="standardDeviation"/>²) draws.</summary>
    public static void Fill(Span<float> target, double standardDeviation, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!(standardDeviation >= 0) || !double.IsFinite(standardDeviation))
        {
            throw new ArgumentOutOfRangeException(nameof(standardDeviation), standardDeviation, "the standard deviation must be finite and >= 0");
        }

        for (int i = 0; i < target.Length; i += 2)
        {
            double radius = Math.Sqrt(-2 * Math.Log(random.NextOpenDouble())) * standardDeviation;
            double angle = 2 * Math.PI * random.NextDouble();
            target[i] = (float)(radius * Math.Cos(angle));
            if (i + 1 < target.Length)
            {
                target[i + 1] = (float)(radius * Math.Sin(angle));
            }
        }
    }
}
