using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Privacy.Mechanisms;

/// <summary>
/// Exact sampler for the discrete Gaussian N_Z(0, sigma^2): P(X = x) proportional to
/// exp(-x^2 / (2 sigma^2)) for integer x. Canonne, Kamath and Steinke 2020 (arXiv:2004.00010),
/// Algorithm 3: rejection from the discrete Laplace with scale t = floor(sigma) + 1.
/// </summary>
/// <remarks>
/// <para>sigma^2 is represented exactly as the rational <see cref="SigmaSquaredNumerator"/> / 2^16,
/// rounded <b>up</b> from the requested value; more noise never weakens the guarantee.</para>
/// <para>Privacy (CKS 2020, Theorem 4): adding independent N_Z(0, sigma^2) noise to each coordinate of
/// an integer-valued query with L2 sensitivity Delta satisfies rho-zCDP with
/// rho = Delta^2 / (2 sigma^2). For a histogram under adding/removing one record Delta = 1.</para>
/// </remarks>
public sealed class DiscreteGaussian
{
    /// <summary>Smallest supported sigma.</summary>
    public const double MinSigma = 1.0 / 64;

    /// <summary>Largest supported sigma (keeps the exact arithmetic within 128 bits).</summary>
    public const double MaxSigma = 1 << 20;

    private const int DenominatorBits = 16;
    private readonly UInt128 p;
    private readonly ulong t;
    private readonly UInt128 gammaDenominator;

    /// <summary>Prepares a sampler for standard deviation parameter <paramref name="sigma"/> (in counts).</summary>
    public DiscreteGaussian(double sigma)
    {
        if (!(sigma >= MinSigma && sigma <= MaxSigma))
        {
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, $"sigma must be in [{MinSigma}, {MaxSigma}]");
        }

        p = (UInt128)Math.Ceiling(sigma * sigma * (1 << DenominatorBits));
        SigmaSquaredNumerator = (ulong)p;
        t = (ulong)Math.Floor(Math.Sqrt(SigmaSquared)) + 1;
        UInt128 q = UInt128.One << DenominatorBits;
        gammaDenominator = 2 * p * q * t * t;
    }

    /// <summary>Numerator of the exact sigma^2 used, over the denominator 2^16.</summary>
    public ulong SigmaSquaredNumerator { get; }

    /// <summary>The exact sigma^2 used (at least the requested sigma^2).</summary>
    public double SigmaSquared => SigmaSquaredNumerator / (double)(1 << DenominatorBits);

    /// <summary>zCDP parameter rho = sensitivity^2 / (2 sigma^2) of adding this noise to a query of the given L2 sensitivity.</summary>
    public double Rho(double sensitivity = 1) => sensitivity * sensitivity / (2 * SigmaSquared);

    /// <summary>Draws one value of N_Z(0, sigma^2).</summary>
    public long Sample(IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        UInt128 q = UInt128.One << DenominatorBits;
        while (true)
        {
            long y = DiscreteLaplace.Sample(random, t);
            // Accept with probability exp(-(|y| - sigma^2/t)^2 / (2 sigma^2)); with sigma^2 = p/q this
            // is exp(-(|y| t q - p)^2 / (2 p q t^2)), an exact rational exponent.
            UInt128 a = checked((UInt128)(ulong)Math.Abs(y) * t * q);
            UInt128 diff = a >= p ? a - p : p - a;
            if (ExactBernoulli.SampleExp(random, checked(diff * diff), gammaDenominator))
            {
                return y;
            }
        }
    }

    /// <summary>Adds independent N_Z(0, sigma^2) noise to each integer count (in place).</summary>
    public void AddNoise(IRandomSource random, Span<long> counts)
    {
        for (int i = 0; i < counts.Length; i++)
        {
            counts[i] = checked(counts[i] + Sample(random));
        }
    }
}
