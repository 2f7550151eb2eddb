using MathNet.Numerics;

namespace ReleaseGateway.Privacy.Accounting;

/// <summary>
/// Rényi differential privacy (Mironov 2017) of the Poisson-subsampled Gaussian mechanism: each
/// record enters a batch independently with probability <c>q</c>, and Gaussian noise of standard
/// deviation <c>noiseMultiplier x C</c> is added to a sum whose L2 sensitivity is <c>C</c> (DP-SGD
/// with per-example clipping to norm C). Computes, per step, epsilon(alpha) = log(A_alpha) / (alpha - 1)
/// with A_alpha = E_{z ~ mu0}[(mu(z) / mu0(z))^alpha], mu0 = N(0, sigma^2), mu = (1 - q) mu0 + q N(1, sigma^2)
/// (Mironov, Talwar and Zhang 2019, "Rényi Differential Privacy of the Sampled Gaussian Mechanism",
/// arXiv:1908.10530, Sections 3.3 for integer and 3.4 for fractional orders).
/// </summary>
/// <remarks>
/// The guarantee is for add/remove-one-record neighbouring datasets. Orders compose additively over
/// steps (and with zCDP: rho-zCDP has epsilon(alpha) = rho alpha), see <see cref="RenyiAccountant"/>.
/// All sums are computed in log space so large orders and tiny q do not overflow or underflow.
/// </remarks>
public static class SubsampledGaussianRdp
{
    /// <summary>
    /// The default grid of orders: 1.1, 1.2, ..., 10.9 and 12, ..., 63 (the grid of Opacus'
    /// RDPAccountant and TensorFlow Privacy's compute_dp_sgd_privacy), extended with 64 ... 1024 because
    /// at the project's delta = 1e-9 and small epsilon the optimal order can exceed 63.
    /// </summary>
    public static IReadOnlyList<double> DefaultOrders { get; } =
        Enumerable.Range(1, 99).Select(x => 1 + x / 10.0)
            .Concat(Enumerable.Range(12, 52).Select(x => (double)x))
            .Concat([64, 80, 96, 128, 160, 192, 256, 384, 512, 768, 1024])
            .ToArray();

    /// <summary>Rényi DP of one step at order <paramref name="order"/>.</summary>
    /// <param name="samplingRate">Poisson sampling probability q in [0, 1].</param>
    /// <param name="noiseMultiplier">Noise standard deviation divided by the L2 sensitivity (sigma), &gt;= 0.</param>
    /// <param name="order">Rényi order alpha &gt; 1 (may be +infinity, giving +infinity when q &gt; 0).</param>
    /// <returns>epsilon(alpha) in nats, &gt;= 0; +infinity when sigma = 0 and q &gt; 0.</returns>
    public static double Rdp(double samplingRate, double noiseMultiplier, double order)
    {
        if (!(samplingRate >= 0 && samplingRate <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(samplingRate), samplingRate, "q must be in [0, 1]");
        }

        if (!(noiseMultiplier >= 0) || double.IsNaN(noiseMultiplier))
        {
            throw new ArgumentOutOfRangeException(nameof(noiseMultiplier), noiseMultiplier, "sigma must be >= 0");
        }

        if (!(order > 1))
        {
            throw new ArgumentOutOfRangeException(nameof(order), order, "the Rényi order must be > 1");
        }

        if (samplingRate == 0)
        {
            return 0;
        }

        if (noiseMultiplier == 0 || double.IsPositiveInfinity(order))
        {
            return double.PositiveInfinity;
        }

        if (samplingRate == 1)
        {
            // Unsampled Gaussian mechanism: alpha / (2 sigma^2) (Mironov 2017, Proposition 7).
            return order / (2 * noiseMultiplier * noiseMultiplier);
        }

        double logA = order == Math.Floor(order) && order < int.MaxValue
            ? LogAIntegerOrder(samplingRate, noiseMultiplier, (int)order)
            : LogAFractionalOrder(samplingRate, noiseMultiplier, order);
        return Math.Max(0, logA / (order - 1));
    }

    /// <summary>Rényi DP of <paramref name="steps"/> composed steps at each of <paramref name="orders"/>.</summary>
    public static double[] Rdp(double samplingRate, double noiseMultiplier, long steps, IReadOnlyList<double> orders)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        var result = new double[orders.Count];
        for (int i = 0; i < result.Length; i++)
        {
            double perStep = Rdp(samplingRate, noiseMultiplier, orders[i]);
            result[i] = steps == 0 ? 0 : perStep * steps;
        }

        return result;
    }

    // A_alpha = sum_{k=0}^{alpha} C(alpha, k) (1 - q)^(alpha - k) q^k exp((k^2 - k) / (2 sigma^2))  (MTZ 2019, Section 3.3).
    private static double LogAIntegerOrder(double q, double sigma, int alpha)
    {
        double logQ = Math.Log(q), log1mQ = RdpNumerics.Log1P(-q), twoSigma2 = 2 * sigma * sigma;
        double logA = double.NegativeInfinity;
        for (int k = 0; k <= alpha; k++)
        {
            double term = SpecialFunctions.BinomialLn(alpha, k) + k * logQ + (alpha - k) * log1mQ + ((double)k * k - k) / twoSigma2;
            logA = LogAdd(logA, term);
        }

        return logA;
    }

    // For fractional alpha the binomial series is infinite; split the integral at
    // z0 = sigma^2 log(1/q - 1) + 1/2 where mu1/mu0 = (1 - q)/q, and sum both halves' series,
    // each term weighted by a Gaussian tail (MTZ 2019, Section 3.4). Generalised binomial
    // coefficients C(alpha, k) change sign once k > alpha, so the magnitude is kept in log space
    // together with its sign.
    private static double LogAFractionalOrder(double q, double sigma, double alpha)
    {
        double logQ = Math.Log(q), log1mQ = RdpNumerics.Log1P(-q), twoSigma2 = 2 * sigma * sigma;
        double z0 = sigma * sigma * Math.Log(1 / q - 1) + 0.5;
        double logA0 = double.NegativeInfinity, logA1 = double.NegativeInfinity;
        double logCoefficient = 0;
        bool positive = true;
        for (int k = 0; k < 1_000_000; k++)
        {
            if (k > 0)
            {
                double factor = (alpha - (k - 1)) / k;
                if (factor == 0)
                {
                    break;
                }

                logCoefficient += Math.Log(Math.Abs(factor));
                positive ^= factor < 0;
            }

            double j = alpha - k;
            double logT0 = logCoefficient + k * logQ + j * log1mQ;
            double logT1 = logCoefficient + j * logQ + k * log1mQ;
            double logE0 = Math.Log(0.5) + LogErfc((k - z0) / (Math.Sqrt(2) * sigma));
            double logE1 = Math.Log(0.5) + LogErfc((z0 - j) / (Math.Sqrt(2) * sigma));
            double logS0 = logT0 + ((double)k * k - k) / twoSigma2 + logE0;
            double logS1 = logT1 + (j * j - j) / twoSigma2 + logE1;
            if (positive)
            {
                logA0 = LogAdd(logA0, logS0);
                logA1 = LogAdd(logA1, logS1);
            }
            else
            {
                logA0 = LogSubtract(logA0, logS0);
                logA1 = LogSubtract(logA1, logS1);
            }

            // Terms decay super-exponentially once k passes alpha; stop when both are below e^-30 of unity.
            if (Math.Max(logS0, logS1) < -30)
            {
                break;
            }
        }

        return LogAdd(logA0, logA1);
    }

    /// <summary>log(erfc(x)), accurate also where erfc(x) underflows (x &gt; 26): asymptotic expansion there.</summary>
    internal static double LogErfc(double x)
    {
        if (x < 20)
        {
            return Math.Log(SpecialFunctions.Erfc(x));
        }

        // erfc(x) = exp(-x^2) / (x sqrt(pi)) (1 - 1/(2x^2) + 3/(4x^4) - 15/(8x^6) + 105/(16x^8) ...), Abramowitz & Stegun 7.1.23.
        double inverse2 = 1 / (x * x);
        double series = 1 - inverse2 / 2 + 0.75 * inverse2 * inverse2 - 1.875 * inverse2 * inverse2 * inverse2 + 6.5625 * inverse2 * inverse2 * inverse2 * inverse2;
        return -x * x - Math.Log(x) - 0.5 * Math.Log(Math.PI) + Math.Log(series);
    }

    private static double LogAdd(double logX, double logY)
    {
        double low = Math.Min(logX, logY), high = Math.Max(logX, logY);
        return double.IsNegativeInfinity(low) ? high : high + RdpNumerics.Log1P(Math.Exp(low - high));
    }

    private static double LogSubtract(double logX, double logY)
    {
        if (double.IsNegativeInfinity(logY))
        {
            return logX;
        }

        if (logX < logY)
        {
            // Never clamp: a silently dropped term could understate the privacy loss.
            throw new ArithmeticException("the RDP series lost precision (a partial sum became negative)");
        }

        if (logX == logY)
        {
            return double.NegativeInfinity;
        }

        double difference = logX - logY;
        return difference > 700 ? logX : logY + Math.Log(RdpNumerics.ExpM1(difference));
    }
}
