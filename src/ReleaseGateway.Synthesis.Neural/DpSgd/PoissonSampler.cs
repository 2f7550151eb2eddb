using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Synthesis.Neural.DpSgd;

/// <summary>
/// Poisson subsampling: every record joins the batch independently with probability q, so batch
/// sizes vary (Binomial(n, q)). This, not shuffling into fixed-size batches, is the sampling the
/// subsampled-Gaussian RDP bound (Mironov, Talwar, Zhang 2019) assumes.
/// </summary>
public static class PoissonSampler
{
    /// <summary>Indices in [0, <paramref name="count"/>) of the records drawn with probability <paramref name="samplingRate"/>, ascending.</summary>
    public static long[] Sample(int count, double samplingRate, IRandomSource random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(random);
        if (!(samplingRate >= 0 && samplingRate <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(samplingRate), samplingRate, "q must be in [0, 1]");
        }

        // Compare 53-bit uniforms with q: exact Bernoulli(q) up to q's own rounding.
        var chosen = new List<long>((int)Math.Min(count, count * samplingRate * 1.2 + 16));
        for (int i = 0; i < count; i++)
        {
            if (random.NextDouble() < samplingRate)
            {
                chosen.Add(i);
            }
        }

        return chosen.ToArray();
    }
}
