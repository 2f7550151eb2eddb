using ReleaseGateway.Privacy.Randomness;
using TorchSharp;
using static TorchSharp.torch;

namespace ReleaseGateway.Synthesis.Neural.DpSgd;

/// <summary>Hyper-parameters of DP-SGD (Abadi et al. 2016) with an Adam update.</summary>
/// <param name="ClipNorm">C: every example's whole gradient (all layers) is scaled to L2 norm at most C.</param>
/// <param name="NoiseMultiplier">sigma: the noise on the summed clipped gradients has standard deviation sigma x C.</param>
/// <param name="ExpectedBatchSize">q x n: the noisy sum is divided by this public constant (not the actual batch size, which is private).</param>
/// <param name="LearningRate">Adam step size.</param>
public sealed record DpSgdSettings(double ClipNorm, double NoiseMultiplier, double ExpectedBatchSize, double LearningRate)
{
    /// <summary>Adam beta1.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Adam beta2.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Adam epsilon.</summary>
    public double AdamEpsilon { get; init; } = 1e-8;
}

/// <summary>
/// One DP-SGD step over a set of <see cref="MaskedLinear"/> layers: exact per-example gradient norms,
/// per-example clipping, Gaussian noise N(0, sigma²C²) on the sum, then Adam (post-processing).
/// </summary>
/// <remarks>
/// Per-example gradients are never materialised. With a the layer inputs and g = dL/dz the output
/// gradients of the whole batch (row i depends on example i only, because the loss is a sum of
/// per-example losses and no layer mixes examples), example i's squared gradient norm is
/// Σ_o g_io² Σ_k M_ok a_ik² (+ Σ_o g_io² for the bias) — one matrix product (g² ∘ (a² Mᵀ)); for
/// dense layers it is ||g_i||² ||a_i||² (the "ghost norm" of Goodfellow 2015, Li et al. 2022). The
/// clipped sum is then ((c ∘ g)ᵀ a) ⊙ M with c_i = min(1, C / ||grad_i||). Adding or removing one
/// example changes the clipped sum by at most C in L2, so noise sigma C gives the subsampled-Gaussian
/// guarantee accounted by <see cref="Privacy.Accounting.SubsampledGaussianRdp"/>.
/// </remarks>
public sealed class DpSgdOptimizer : IDisposable
{
    private readonly IReadOnlyList<MaskedLinear> layers;
    private readonly DpSgdSettings settings;
    private readonly IRandomSource noiseRandom;
    private readonly Tensor[] firstMoments;
    private readonly Tensor[] secondMoments;
    private int step;

    /// <summary>Creates the optimizer; <paramref name="noiseRandom"/> supplies the privacy noise (cryptographic in production).</summary>
    public DpSgdOptimizer(IReadOnlyList<MaskedLinear> layers, DpSgdSettings settings, IRandomSource noiseRandom)
    {
        this.layers = layers ?? throw new ArgumentNullException(nameof(layers));
        this.settings = settings ?? throw new ArgumentNullException(nameof(settings));
        this.noiseRandom = noiseRandom ?? throw new ArgumentNullException(nameof(noiseRandom));
        if (!(settings.ClipNorm > 0) || !(settings.NoiseMultiplier >= 0) || !(settings.ExpectedBatchSize > 0) || !(settings.LearningRate > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(settings), "clip norm, expected batch size and learning rate must be > 0, the noise multiplier >= 0");
        }

        var parameters = layers.SelectMany(l => new[] { l.Weight, l.Bias }).ToArray();
        firstMoments = parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        secondMoments = parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
    }

    /// <summary>Frees Adam's moment estimates.</summary>
    public void Dispose()
    {
        foreach (Tensor moment in firstMoments.Concat(secondMoments))
        {
            moment.Dispose();
        }
    }

    /// <summary>
    /// Squared L2 norms of each example's gradient over all layers, from the layers' remembered
    /// inputs and the given output gradients (one row per example).
    /// </summary>
    public Tensor PerExampleSquaredNorms(IReadOnlyList<Tensor> outputGradients)
    {
        Tensor total = zeros(outputGradients[0].shape[0]);
        for (int l = 0; l < layers.Count; l++)
        {
            Tensor a2 = ScalarOps.Square(layers[l].LastInput!);
            Tensor g2 = ScalarOps.Square(outputGradients[l]);
            Tensor weightPart = layers[l].Mask is { } mask
                ? (g2 * a2.mm(mask.t())).sum(1)
                : g2.sum(1) * a2.sum(1);
            total = ScalarOps.Add(ScalarOps.Add(total, weightPart), g2.sum(1));
        }

        return total;
    }

    /// <summary>
    /// Σ_i min(1, C / ||grad_i||) grad_i for every parameter (weight, bias per layer, in layer order),
    /// without noise, and the per-example gradient norms ||grad_i||.
    /// </summary>
    public Tensor[] ClippedGradientSum(Tensor lossSum, out Tensor norms)
    {
        ArgumentNullException.ThrowIfNull(lossSum);
        IList<Tensor> outputGradients = autograd.grad([lossSum], layers.Select(l => l.LastOutput!).ToArray());
        Tensor exampleNorms = PerExampleSquaredNorms(outputGradients.ToArray()).sqrt();
        norms = exampleNorms;
        Tensor inverse = ScalarOps.AddScalar(exampleNorms, 1e-6).reciprocal();
        Tensor factors = ScalarOps.With(settings.ClipNorm, c => inverse.mul(c));
        factors = ScalarOps.With(1.0, one => factors.clamp_max(one));
        var summed = new Tensor[layers.Count * 2];
        for (int l = 0; l < layers.Count; l++)
        {
            Tensor scaled = outputGradients[l] * factors.unsqueeze(1);
            Tensor weight = scaled.t().mm(layers[l].LastInput!);
            summed[2 * l] = layers[l].Mask is { } mask ? weight * mask : weight;
            summed[2 * l + 1] = scaled.sum(0L);
        }

        return summed;
    }

    /// <summary>
    /// Takes one step from <paramref name="lossSum"/> = Σ_i loss_i over the Poisson batch whose
    /// forward pass the layers remember; with an empty batch pass null (the update is then noise only,
    /// as the mechanism requires). Returns the fraction of examples whose gradient was clipped.
    /// </summary>
    public double Step(Tensor? lossSum)
    {
        step++;
        using DisposeScope scope = NewDisposeScope();
        Tensor[] summed;
        double clippedFraction = 0;
        if (lossSum is not null)
        {
            summed = ClippedGradientSum(lossSum, out Tensor norms);
            clippedFraction = ScalarOps.With(settings.ClipNorm, c => norms.gt(c)).to_type(ScalarType.Float32).mean().item<float>();
        }
        else
        {
            summed = layers.SelectMany(l => new[] { zeros_like(l.Weight), zeros_like(l.Bias) }).ToArray();
        }

        using (no_grad())
        {
            for (int p = 0; p < summed.Length; p++)
            {
                MaskedLinear layer = layers[p / 2];
                Tensor parameter = p % 2 == 0 ? layer.Weight : layer.Bias;
                Tensor noise = Noise(parameter.shape);
                if (p % 2 == 0 && layer.Mask is { } mask)
                {
                    noise = noise * mask;
                }

                Tensor noisySum = ScalarOps.Add(summed[p], noise);
                Tensor gradient = ScalarOps.With(1 / settings.ExpectedBatchSize, b => noisySum.mul(b));
                Adam(parameter, gradient, firstMoments[p], secondMoments[p]);
            }
        }

        foreach (MaskedLinear layer in layers)
        {
            layer.Forget();
        }

        return clippedFraction;
    }

    private Tensor Noise(long[] shape)
    {
        long count = shape.Aggregate(1L, (x, y) => x * y);
        var values = new float[count];
        GaussianNoise.Fill(values, settings.NoiseMultiplier * settings.ClipNorm, noiseRandom);
        return tensor(values, shape);
    }

    private void Adam(Tensor parameter, Tensor gradient, Tensor m, Tensor v)
    {
        Tensor squared = ScalarOps.Square(gradient);
        ScalarOps.With(settings.Beta1, b => m.mul_(b));
        ScalarOps.With(1 - settings.Beta1, a => m.add_(gradient, a));
        ScalarOps.With(settings.Beta2, b => v.mul_(b));
        ScalarOps.With(1 - settings.Beta2, a => v.add_(squared, a));
        double correction1 = 1 - Math.Pow(settings.Beta1, step);
        double correction2 = 1 - Math.Pow(settings.Beta2, step);
        Tensor firstHat = ScalarOps.With(1 / correction1, c => m.mul(c));
        Tensor secondHat = ScalarOps.With(1 / correction2, c => v.mul(c));
        Tensor denominator = ScalarOps.AddScalar(secondHat.sqrt(), settings.AdamEpsilon);
        Tensor update = firstHat / denominator;
        ScalarOps.With(-settings.LearningRate, rate => parameter.add_(update, rate));
    }
}
