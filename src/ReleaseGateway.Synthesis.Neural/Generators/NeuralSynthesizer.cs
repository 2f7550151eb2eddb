using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Privacy.Mechanisms;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Synthesis.Neural.DpSgd;
using ReleaseGateway.Synthesis.Neural.TorchLoading;
using TorchSharp;
using static TorchSharp.torch;

namespace ReleaseGateway.Synthesis.Neural.Generators;

/// <summary>
/// Entry point of neural DP synthesis: a <see cref="MadeModel"/> trained with DP-SGD on the encoded
/// table, sampled to the requested number of rows.
/// </summary>
/// <remarks>
/// Privacy guarantee: the output (table, noisy count, accounting record) is (epsilon, delta)-DP with
/// respect to adding or removing one record, given a public schema. Composition in Rényi DP: the
/// noisy record count (discrete Gaussian, rho-zCDP = RDP rho·alpha) plus T Poisson-subsampled
/// Gaussian steps with q and T derived from the noisy count only; sigma is calibrated so the whole
/// composition converts to at most (epsilon, delta) (<see cref="RenyiAccountant.CalibrateNoiseMultiplier"/>).
/// Privacy noise and Poisson sampling draw from <see cref="CryptoRandomSource"/> unless a seed is
/// given; weight initialisation and sampling from the trained model are post-processing and use
/// Torch's (non-cryptographic) generator seeded from that source.
/// <para>
/// Threads: <see cref="Run"/> may be called from any thread, several at once (each run has its own
/// model, optimizer and Torch generator; TorchSharp's dispose scopes and libtorch's grad mode are per
/// thread). Every tensor a run creates is owned by a dispose scope or by the model, and every scalar by
/// <c>ScalarOps</c>, so no native object is ever left to a finalizer that could free it while libtorch
/// still uses it (docs/neural.md, "Native object lifetimes").
/// </para>
/// </remarks>
public static class NeuralSynthesizer
{
    /// <summary>
    /// Version of the generator (model, training and sampling code); the release manifest records it. Also
    /// the assembly's version (ReleaseGateway.Synthesis.Neural.csproj), checked by a test. Raise it whenever
    /// the same inputs and seed could produce a different table.
    /// </summary>
    public const string Version = "1.0.0";

    /// <summary>Trains and samples; <paramref name="progress"/> receives one report per expected epoch.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Invalid epsilon, delta, rows or hyper-parameters, or a budget too small to train.</exception>
    public static NeuralSynthesisResult Run(EncodedTable table, NeuralSynthesisOptions options, IProgress<NeuralTrainingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        if (table.ColumnCount == 0)
        {
            throw new ArgumentException("the table has no columns", nameof(table));
        }

        TorchRuntime.EnsureInitialized();
        if (options.Threads is int threads)
        {
            // Safe from concurrent runs: libtorch keeps OpenMP's thread count per calling thread and
            // guards its own pool; the value also becomes the default of threads that start using Torch later.
            torch.set_num_threads(threads);
        }

        // Keeps every temporary tensor of the run reachable until the run ends, then frees it (see remarks).
        using DisposeScope runScope = NewDisposeScope();
        IRandomSource random = options.Random ?? (options.Seed is long seed ? new SeededRandomSource(seed) : new CryptoRandomSource());
        using var generator = new Generator(random.NextUInt64());

        // 1. Noisy record count: sizes q, the steps and the default number of rows. What other mechanisms reserved
        //    (the release checks) is composed first, so the shares and sigma below are of the rest.
        var accountant = new RenyiAccountant();
        if (options.ReservedRho > 0)
        {
            accountant.ComposeZcdp($"reserved for the release checks (rho = {options.ReservedRho:G6})", options.ReservedRho);
        }

        double rhoTotal = ZcdpConversion.Rho(options.Epsilon, options.Delta) - options.ReservedRho;
        var countNoise = new DiscreteGaussian(Math.Min(DiscreteGaussian.MaxSigma, Math.Sqrt(1 / (2 * options.CountShare * rhoTotal))));
        long noisyCount = Math.Max(1, table.RowCount + countNoise.Sample(random));
        accountant.ComposeZcdp($"noisy record count (discrete Gaussian, sigma^2 = {countNoise.SigmaSquared:G6})", countNoise.Rho());

        // 2. Noisy 1-way marginals (discrete Gaussian on every count; one record moves d counts by 1,
        //    so the L2 sensitivity of all d marginals together is sqrt(d)).
        double[][]? marginals = null;
        if (options.MarginalShare > 0)
        {
            int d = table.ColumnCount;
            var marginalNoise = new DiscreteGaussian(Math.Min(DiscreteGaussian.MaxSigma, Math.Sqrt(d / (2 * options.MarginalShare * rhoTotal))));
            marginals = NoisyMarginals(table, marginalNoise, random);
            accountant.ComposeZcdp($"1-way marginals of {d} columns (discrete Gaussian, sigma^2 = {marginalNoise.SigmaSquared:G6})", marginalNoise.Rho(Math.Sqrt(d)));
        }

        // 3. DP-SGD schedule from public quantities and the noisy count, then sigma for the remaining budget.
        double batch = Math.Min(noisyCount, Math.Clamp(options.BatchFraction * noisyCount, options.MinBatchSize, options.MaxBatchSize));
        double q = Math.Min(1, batch / noisyCount);
        int steps = (int)Math.Ceiling(options.Epochs / q);
        double sigma = RenyiAccountant.CalibrateNoiseMultiplier(options.Epsilon, options.Delta, q, steps, accountant.Orders, accountant.TotalRdp);
        double[] perStep = SubsampledGaussianRdp.Rdp(q, sigma, 1, accountant.Orders);

        // 4. Train.
        using var model = new MadeModel(table.DomainSizes, options.Hidden, generator);
        if (marginals is not null)
        {
            model.InitializeFromMarginals(marginals);
        }

        var columns = Enumerable.Range(0, table.ColumnCount).Select(j => table.Column(j).ToArray()).ToArray();
        using var optimizer = new DpSgdOptimizer(model.Layers, new DpSgdSettings(options.ClipNorm, sigma, batch, options.LearningRate), random);
        using (Tensor data = model.OneHot(columns))
        {
            int stepsPerEpoch = Math.Max(1, (int)Math.Round(1 / q));
            double lossSum = 0, clippedSum = 0;
            long examples = 0;
            int batches = 0;
            for (int t = 1; t <= steps; t++)
            {
                long[] indices = PoissonSampler.Sample(table.RowCount, q, random);
                using (DisposeScope scope = NewDisposeScope())
                {
                    if (indices.Length == 0)
                    {
                        optimizer.Step(null);
                    }
                    else
                    {
                        Tensor nll = model.NegativeLogLikelihood(data.index_select(0, tensor(indices)));
                        Tensor total = nll.sum();
                        lossSum += total.item<float>();
                        examples += indices.Length;
                        clippedSum += optimizer.Step(total);
                        batches++;
                    }
                }

                if (progress is not null && (t % stepsPerEpoch == 0 || t == steps))
                {
                    double[] spent = accountant.TotalRdp.Select((r, i) => r + perStep[i] * t).ToArray();
                    progress.Report(new NeuralTrainingProgress(
                        t * q, t, steps, examples == 0 ? double.NaN : lossSum / examples,
                        RenyiAccountant.ImprovedEpsilon(accountant.Orders, spent, options.Delta).Epsilon,
                        batches == 0 ? 0 : clippedSum / batches));
                    lossSum = clippedSum = 0;
                    examples = batches = 0;
                }
            }
        }

        accountant.ComposeSubsampledGaussian($"DP-SGD: {steps} steps, q = {q:G6}, sigma = {sigma:G6}, C = {options.ClipNorm:G6}", q, sigma, steps);

        // 5. Sample (post-processing).
        int rows = options.Rows ?? (int)Math.Min(int.MaxValue, noisyCount);
        int[][] sampled = model.Sample(rows, generator);
        return new NeuralSynthesisResult
        {
            Table = new EncodedTable(table.ColumnNames, table.DomainSizes, sampled),
            Epsilon = options.Epsilon,
            Delta = options.Delta,
            EpsilonSpent = accountant.Epsilon(options.Delta).Epsilon,
            Accountant = accountant,
            NoiseMultiplier = sigma,
            SamplingRate = q,
            Steps = steps,
            NoisyRecordCount = noisyCount,
            Parameters = model.ParameterCount,
        };
    }

    private static double[][] NoisyMarginals(EncodedTable table, DiscreteGaussian noise, IRandomSource random)
    {
        var result = new double[table.ColumnCount][];
        for (int j = 0; j < table.ColumnCount; j++)
        {
            var counts = new long[table.DomainSizes[j]];
            foreach (int code in table.Column(j))
            {
                counts[code]++;
            }

            noise.AddNoise(random, counts);
            // Post-processing: clamp negatives, add one pseudo-count, normalise.
            double[] smoothed = counts.Select(c => Math.Max(0, c) + 1.0).ToArray();
            double total = smoothed.Sum();
            result[j] = smoothed.Select(c => c / total).ToArray();
        }

        return result;
    }

    private static void Validate(NeuralSynthesisOptions options)
    {
        if (!(options.Epsilon > 0) || !double.IsFinite(options.Epsilon))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Epsilon, "epsilon must be positive and finite");
        }

        if (!(options.Delta > 0 && options.Delta < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Delta, "delta must be in (0, 1)");
        }

        if (options.Rows is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Rows, "rows must be at least 1");
        }

        if (!(options.ReservedRho >= 0 && options.ReservedRho < ZcdpConversion.Rho(options.Epsilon, options.Delta)))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ReservedRho, "the reserved rho must be >= 0 and leave part of rho(epsilon, delta) for training");
        }

        if (!(options.Epochs > 0) || !(options.BatchFraction > 0) || options.MinBatchSize < 1 || options.MaxBatchSize < options.MinBatchSize
            || !(options.ClipNorm > 0) || !(options.LearningRate > 0) || options.Hidden < 1 || !(options.CountShare > 0 && options.CountShare < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "epochs, batch sizes, clip norm, learning rate and hidden units must be positive; the count share in (0, 1)");
        }
    }
}
