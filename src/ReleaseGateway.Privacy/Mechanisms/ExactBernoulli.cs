using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Privacy.Mechanisms;

/// <summary>
/// Exact Bernoulli trials with rational parameters, using only uniform integers: the building
/// blocks of Canonne, Kamath and Steinke, "The Discrete Gaussian for Differential Privacy"
/// (NeurIPS 2020, arXiv:2004.00010), Algorithm 1. No floating-point arithmetic is involved, so the
/// distributions are exactly those analysed (Mironov 2012 showed how floating-point noise leaks).
/// </summary>
internal static class ExactBernoulli
{
    /// <summary>Bernoulli(<paramref name="numerator"/> / <paramref name="denominator"/>), numerator &lt;= denominator.</summary>
    public static bool Sample(IRandomSource random, UInt128 numerator, UInt128 denominator) =>
        random.NextBelow(denominator) < numerator;

    /// <summary>Bernoulli(exp(-gamma)) for rational gamma = numerator / denominator &gt;= 0.</summary>
    public static bool SampleExp(IRandomSource random, UInt128 numerator, UInt128 denominator)
    {
        // exp(-gamma) = exp(-1)^floor(gamma) * exp(-frac(gamma)): one trial per unit, stopping at the first failure.
        while (numerator > denominator)
        {
            if (!SampleExpAtMostOne(random, UInt128.One, UInt128.One))
            {
                return false;
            }

            numerator -= denominator;
        }

        return SampleExpAtMostOne(random, numerator, denominator);
    }

    /// <summary>
    /// Bernoulli(exp(-gamma)) for gamma in [0, 1]: draw A_k ~ Bernoulli(gamma / k) for k = 1, 2, ...
    /// until the first failure at K; P(K odd) = exp(-gamma) (CKS 2020, Algorithm 1).
    /// </summary>
    private static bool SampleExpAtMostOne(IRandomSource random, UInt128 numerator, UInt128 denominator)
    {
        ulong k = 1;
        while (Sample(random, numerator, checked(denominator * k)))
        {
            k++;
        }

        return (k & 1) == 1;
    }
}
