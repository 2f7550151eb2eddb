using TorchSharp;
using static TorchSharp.torch;

namespace ReleaseGateway.Synthesis.Neural.DpSgd;

/// <summary>
/// An affine layer z = a (W ⊙ M)ᵀ + b whose weight is multiplied by a fixed 0/1 mask M (all ones
/// when unmasked). Remembers the last input a and output z so <see cref="DpSgdOptimizer"/> can form
/// exact per-example gradients from them (for example i: dW_i = (g_i a_iᵀ) ⊙ M, db_i = g_i, with
/// g_i = dloss_i/dz_i), as Opacus' grad-sample hooks do for <c>nn.Linear</c>.
/// </summary>
public sealed class MaskedLinear : IDisposable
{
    /// <summary>
    /// Creates the layer with weights uniform in ±1/sqrt(fan-in) (PyTorch's default) drawn from
    /// <paramref name="generator"/>. The layer owns copies of its tensors (dispose it); <paramref name="mask"/>
    /// stays the caller's.
    /// </summary>
    public MaskedLinear(int inputs, int outputs, Tensor? mask, Generator generator)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputs);
        ArgumentNullException.ThrowIfNull(generator);
        double bound = 1 / Math.Sqrt(inputs);
        // Temporaries stay reachable (and are freed here, not by the finalizer) until the scope ends.
        using DisposeScope scope = NewDisposeScope();
        using (no_grad())
        {
            Weight = Uniform([outputs, inputs], bound, generator).requires_grad_(true).DetachFromDisposeScope();
            Bias = Uniform([outputs], bound, generator).requires_grad_(true).DetachFromDisposeScope();
        }

        Mask = mask?.to_type(ScalarType.Float32).DetachFromDisposeScope();
        ParameterCount = (Mask is null ? (long)inputs * outputs : Mask.to_type(ScalarType.Int64).sum().item<long>()) + outputs;
        Inputs = inputs;
        Outputs = outputs;
    }

    /// <summary>Number of inputs.</summary>
    public int Inputs { get; }

    /// <summary>Number of outputs.</summary>
    public int Outputs { get; }

    /// <summary>Weight W, outputs x inputs.</summary>
    public Tensor Weight { get; }

    /// <summary>Bias b.</summary>
    public Tensor Bias { get; }

    /// <summary>0/1 mask of the weight (outputs x inputs), or null when dense.</summary>
    public Tensor? Mask { get; }

    /// <summary>Input of the last <see cref="Forward"/> call (detached).</summary>
    public Tensor? LastInput { get; private set; }

    /// <summary>Output of the last <see cref="Forward"/> call (part of the autograd graph).</summary>
    public Tensor? LastOutput { get; private set; }

    /// <summary>Number of trainable parameters (masked-out weights excluded).</summary>
    public long ParameterCount { get; }

    /// <summary>Computes z = a (W ⊙ M)ᵀ + b and remembers a and z.</summary>
    public Tensor Forward(Tensor input)
    {
        Tensor weight = Mask is null ? Weight : Weight * Mask;
        Tensor output = nn.functional.linear(input, weight, Bias);
        LastInput = input.detach();
        LastOutput = output;
        return output;
    }

    /// <summary>Forgets the remembered tensors (they belong to the caller's dispose scope).</summary>
    public void Forget()
    {
        LastInput = null;
        LastOutput = null;
    }

    private static Tensor Uniform(long[] shape, double bound, Generator generator)
    {
        Tensor unit = rand(shape, generator: generator);
        Tensor scaled = ScalarOps.With(2 * bound, s => unit.mul(s));
        return ScalarOps.With(bound, b => scaled.sub(b));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Weight.Dispose();
        Bias.Dispose();
        Mask?.Dispose();
    }
}
