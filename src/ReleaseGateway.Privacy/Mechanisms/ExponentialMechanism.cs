using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Privacy.Mechanisms;

/// <summary>
/// The exponential mechanism (McSherry and Talwar 2007) by the Gumbel-max trick: returns
/// argmax_i (epsilon / (2 sensitivity)) q_i + G_i with G_i i.i.d. standard Gumbel, which selects i
/// with probability proportional to exp(epsilon q_i / (2 sensitivity)).
/// </summary>
/// <remarks>
/// Privacy: epsilon-DP when every score q_i changes by at most <c>sensitivity</c> between
/// neighbouring data sets; as a bounded-range mechanism it is also epsilon^2/8-zCDP
/// (Cesar and Rogers 2021, "Bounding, Concentrating, and Truncating: Unifying Privacy Loss
/// Composition for Data Analytics", Lemma 3.2), which is what <see cref="Rho"/> charges.
/// </remarks>
public static class ExponentialMechanism
{
    /// <summary>Selects an index; <paramref name="scores"/> must be finite.</summary>
    /// <param name="random">Random source.</param>
    /// <param name="scores">Quality scores q_i (higher is better), any units.</param>
    /// <param name="epsilon">Privacy parameter, &gt; 0.</param>
    /// <param name="sensitivity">Largest change of any score between neighbouring data sets, &gt; 0, same units as the scores.</param>
    public static int Select(IRandomSource random, ReadOnlySpan<double> scores, double epsilon, double sensitivity)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (scores.IsEmpty)
        {
            throw new ArgumentException("at least one candidate is required", nameof(scores));
        }

        if (!(epsilon > 0) || !double.IsFinite(epsilon))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be positive and finite");
        }

        if (!(sensitivity > 0) || !double.IsFinite(sensitivity))
        {
            throw new ArgumentOutOfRangeException(nameof(sensitivity), sensitivity, "sensitivity must be positive and finite");
        }

        int best = -1;
        double bestValue = double.NegativeInfinity;
        for (int i = 0; i < scores.Length; i++)
        {
            if (!double.IsFinite(scores[i]))
            {
                throw new ArgumentException($"score {i} is not finite", nameof(scores));
            }

            double gumbel = -Math.Log(-Math.Log(random.NextOpenDouble()));
            double value = epsilon / (2 * sensitivity) * scores[i] + gumbel;
            if (value > bestValue)
            {
                bestValue = value;
                best = i;
            }
        }

        return best;
    }

    /// <summary>zCDP cost rho = epsilon^2 / 8 of one selection.</summary>
    public static double Rho(double epsilon) => epsilon * epsilon / 8;

    /// <summary>The epsilon whose selection costs exactly <paramref name="rho"/>: epsilon = sqrt(8 rho).</summary>
    public static double EpsilonForRho(double rho) => Math.Sqrt(8 * rho);
}
