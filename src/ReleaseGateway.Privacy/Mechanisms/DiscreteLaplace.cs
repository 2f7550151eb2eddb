using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Privacy.Mechanisms;

/// <summary>
/// Exact sampler for the discrete Laplace distribution with rational scale t/s:
/// P(X = x) = (e^{s/t} - 1) / (e^{s/t} + 1) * e^{-|x| s / t} for integer x.
/// Canonne, Kamath and Steinke 2020 (arXiv:2004.00010), Algorithm 2.
/// </summary>
/// <remarks>
/// Privacy: adding DLap(t/s) noise to an integer query of L1 sensitivity Delta is
/// (Delta * s / t)-differentially private (pure epsilon-DP).
/// </remarks>
public static class DiscreteLaplace
{
    /// <summary>Draws one value of DLap(<paramref name="scaleNumerator"/> / <paramref name="scaleDenominator"/>).</summary>
    /// <param name="random">Random source (cryptographic in production).</param>
    /// <param name="scaleNumerator">t &gt;= 1.</param>
    /// <param name="scaleDenominator">s &gt;= 1.</param>
    public static long Sample(IRandomSource random, ulong scaleNumerator, ulong scaleDenominator = 1)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfZero(scaleNumerator);
        ArgumentOutOfRangeException.ThrowIfZero(scaleDenominator);
        ulong t = scaleNumerator, s = scaleDenominator;
        while (true)
        {
            ulong u = random.NextBelow(t);
            if (!ExactBernoulli.SampleExp(random, u, t))
            {
                continue;
            }

            ulong v = 0;
            while (ExactBernoulli.SampleExp(random, UInt128.One, UInt128.One))
            {
                v++;
            }

            ulong x = checked(u + (t * v));
            ulong y = x / s;
            bool negative = (random.NextUInt64() & 1) == 1;
            if (negative && y == 0)
            {
                continue;
            }

            return negative ? -(long)y : (long)y;
        }
    }
}
