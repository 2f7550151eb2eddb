using ReleaseGateway.Synthesis.Neural.DpSgd;
using TorchSharp;
using static TorchSharp.torch;

namespace ReleaseGateway.Synthesis.Neural.Generators;

/// <summary>
/// A masked autoregressive network (MADE, Germain et al. 2015) over integer-coded columns:
/// p(x) = Π_j p(x_j | x_1..x_{j-1}), each conditional a softmax head over column j's codes, all
/// computed in one pass of a masked MLP (one-hot input → tanh → tanh → logits, plus a masked direct
/// input→output connection). Column j's head only sees columns before j, by the masks.
/// </summary>
/// <remarks>
/// Columns of every schema type reach the model as codes of the shared encoders (categories, bins of
/// integers/continuous values, date periods, the missing code), so the heads are categorical and the
/// shared decoder turns codes back into the original types. tanh rather than ReLU: bounded
/// activations train better under DP-SGD (Papernot et al. 2021, "Tempered sigmoid activations").
/// <para>
/// Call <see cref="Logits"/>, <see cref="NegativeLogLikelihood"/> and <see cref="OneHot"/> inside a
/// <see cref="DisposeScope"/>: their intermediate tensors must stay reachable until the scope ends
/// (docs/neural.md, "Native object lifetimes"); the constructor and <see cref="Sample"/> open their own.
/// </para>
/// </remarks>
public sealed class MadeModel : IDisposable
{
    private readonly int[] offsets;

    /// <summary>Builds the network for columns with <paramref name="domainSizes"/> codes, initialised from <paramref name="generator"/>.</summary>
    public MadeModel(IReadOnlyList<int> domainSizes, int hidden, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(domainSizes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hidden);
        if (domainSizes.Count == 0 || domainSizes.Any(k => k < 1))
        {
            throw new ArgumentException("need at least one column, each with at least one code", nameof(domainSizes));
        }

        DomainSizes = domainSizes.ToArray();
        offsets = new int[DomainSizes.Count + 1];
        for (int j = 0; j < DomainSizes.Count; j++)
        {
            offsets[j + 1] = offsets[j] + DomainSizes[j];
        }

        int width = offsets[^1], columns = DomainSizes.Count;
        // Degrees: input/output units of column j have degree j + 1; hidden units cycle through 1..d-1
        // (deterministic, so the architecture is public and needs no randomness).
        int[] unitDegree = new int[width];
        for (int j = 0; j < columns; j++)
        {
            Array.Fill(unitDegree, j + 1, offsets[j], DomainSizes[j]);
        }

        int[] hiddenDegree = Enumerable.Range(0, hidden).Select(h => columns == 1 ? columns : h % (columns - 1) + 1).ToArray();
        // The masks are temporaries (each layer keeps its own copy): the scope frees them, not the finalizer.
        using DisposeScope scope = NewDisposeScope();
        Tensor Mask(int rows, int cols, Func<int, int, bool> connected)
        {
            var values = new float[rows * cols];
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < cols; c++)
                {
                    values[r * cols + c] = connected(r, c) ? 1 : 0;
                }
            }

            return tensor(values, [rows, cols]);
        }

        Input = new MaskedLinear(width, hidden, Mask(hidden, width, (h, k) => unitDegree[k] <= hiddenDegree[h]), generator);
        Hidden = new MaskedLinear(hidden, hidden, Mask(hidden, hidden, (h2, h1) => hiddenDegree[h1] <= hiddenDegree[h2]), generator);
        Output = new MaskedLinear(hidden, width, Mask(width, hidden, (o, h) => hiddenDegree[h] < unitDegree[o]), generator);
        Direct = new MaskedLinear(width, width, Mask(width, width, (o, k) => unitDegree[k] < unitDegree[o]), generator);
    }

    /// <summary>Codes per column.</summary>
    public IReadOnlyList<int> DomainSizes { get; }

    /// <summary>Width of the one-hot encoding (sum of the domain sizes).</summary>
    public int Width => offsets[^1];

    /// <summary>The layers DP-SGD trains.</summary>
    public IReadOnlyList<MaskedLinear> Layers => [Input, Hidden, Output, Direct];

    /// <summary>Number of trainable parameters.</summary>
    public long ParameterCount => Layers.Sum(l => l.ParameterCount);

    private MaskedLinear Input { get; }

    private MaskedLinear Hidden { get; }

    private MaskedLinear Output { get; }

    private MaskedLinear Direct { get; }

    /// <summary>
    /// Starts the model at the product of the given 1-way distributions (one per column, summing to
    /// 1): output biases = log p_j, output and direct weights scaled down, so training begins from
    /// "independent columns" and DP-SGD only has to learn the dependencies.
    /// </summary>
    public void InitializeFromMarginals(IReadOnlyList<double[]> marginals, double weightScale = 0.1)
    {
        ArgumentNullException.ThrowIfNull(marginals);
        using DisposeScope scope = NewDisposeScope();
        using IDisposable noGrad = no_grad();
        var bias = new float[Width];
        for (int j = 0; j < DomainSizes.Count; j++)
        {
            for (int c = 0; c < DomainSizes[j]; c++)
            {
                bias[offsets[j] + c] = (float)Math.Log(Math.Max(marginals[j][c], 1e-6));
            }
        }

        Tensor values = tensor(bias);
        Output.Bias.copy_(values);
        Direct.Bias.zero_();
        ScalarOps.With(weightScale, w => Output.Weight.mul_(w));
        ScalarOps.With(weightScale, w => Direct.Weight.mul_(w));
    }

    /// <summary>One-hot encoding (rows x <see cref="Width"/>) of integer codes given column-major.</summary>
    public Tensor OneHot(IReadOnlyList<int[]> columns, long[]? rows = null)
    {
        int n = rows?.Length ?? columns[0].Length;
        var values = new float[(long)n * Width];
        for (int j = 0; j < DomainSizes.Count; j++)
        {
            int[] codes = columns[j];
            for (int i = 0; i < n; i++)
            {
                int row = rows is null ? i : (int)rows[i];
                values[(long)i * Width + offsets[j] + codes[row]] = 1;
            }
        }

        return tensor(values, [n, Width]);
    }

    /// <summary>Logits of every column's conditional (rows x <see cref="Width"/>).</summary>
    public Tensor Logits(Tensor oneHot)
    {
        Tensor h1 = Input.Forward(oneHot).tanh();
        Tensor h2 = Hidden.Forward(h1).tanh();
        return ScalarOps.Add(Output.Forward(h2), Direct.Forward(oneHot));
    }

    /// <summary>Negative log-likelihood of each row (nats), from its one-hot encoding.</summary>
    public Tensor NegativeLogLikelihood(Tensor oneHot)
    {
        Tensor logits = Logits(oneHot);
        Tensor total = zeros(oneHot.shape[0]);
        for (int j = 0; j < DomainSizes.Count; j++)
        {
            Tensor logProbabilities = logits.narrow(1, offsets[j], DomainSizes[j]).log_softmax(1);
            total = ScalarOps.Subtract(total, (logProbabilities * oneHot.narrow(1, offsets[j], DomainSizes[j])).sum(1));
        }

        return total;
    }

    /// <summary>Draws <paramref name="rows"/> records column by column; returns codes column-major.</summary>
    public int[][] Sample(int rows, Generator generator, int chunk = 8192)
    {
        var result = DomainSizes.Select(_ => new int[rows]).ToArray();
        using IDisposable noGrad = no_grad();
        for (int start = 0; start < rows; start += chunk)
        {
            using DisposeScope scope = NewDisposeScope();
            int n = Math.Min(chunk, rows - start);
            Tensor x = zeros(n, Width);
            for (int j = 0; j < DomainSizes.Count; j++)
            {
                Tensor probabilities = Logits(x).narrow(1, offsets[j], DomainSizes[j]).softmax(1);
                Tensor drawn = multinomial(probabilities, 1, true, generator);
                Tensor slot = ScalarOps.AddScalar(drawn, (long)offsets[j]);
                x.scatter_(1, slot, ones(n, 1));
                long[] codes = drawn.squeeze(1).data<long>().ToArray();
                for (int i = 0; i < n; i++)
                {
                    result[j][start + i] = (int)codes[i];
                }
            }

            foreach (MaskedLinear layer in Layers)
            {
                layer.Forget();
            }
        }

        return result;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (MaskedLinear layer in Layers)
        {
            layer.Dispose();
        }
    }
}
