using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Synthesis.Neural.DpSgd;
using ReleaseGateway.Synthesis.Neural.Generators;
using ReleaseGateway.Synthesis.Neural.TorchLoading;
using TorchSharp;
using static TorchSharp.torch;

namespace ReleaseGateway.Synthesis.Neural.Tests.DpSgd;

public sealed class DpSgdTests
{
    public DpSgdTests() => TorchRuntime.EnsureInitialized();

    private static (MadeModel Model, Tensor Batch) TinyModelAndBatch()
    {
        using var generator = new Generator(11);
        var model = new MadeModel([3, 4, 2], hidden: 8, generator);
        int[][] columns = [[0, 1, 2, 0, 1, 2], [3, 0, 1, 2, 3, 0], [1, 0, 1, 1, 0, 0]];
        return (model, model.OneHot(columns));
    }

    [Fact]
    public void Given_Batch_When_ClippedSumComputedFromActivationsAndOutputGradients_Then_EqualsLoopOverBatchesOfOne()
    {
        using DisposeScope scope = NewDisposeScope();
        (MadeModel model, Tensor batch) = TinyModelAndBatch();
        using (model)
        {
            const double clip = 0.5;
            using var optimizer = new DpSgdOptimizer(model.Layers, new DpSgdSettings(clip, 0, 6, 1e-3), new SeededRandomSource(1));
            Tensor[] fast = optimizer.ClippedGradientSum(model.NegativeLogLikelihood(batch).sum(), out Tensor norms);

            // Reference: autograd on one example at a time, then clip and sum.
            var parameters = model.Layers.SelectMany(l => new[] { l.Weight, l.Bias }).ToArray();
            var reference = parameters.Select(p => zeros_like(p)).ToArray();
            for (int i = 0; i < 6; i++)
            {
                Tensor loss = model.NegativeLogLikelihood(batch.narrow(0, i, 1)).sum();
                IList<Tensor> grads = autograd.grad([loss], parameters);
                double norm = Math.Sqrt(grads.Sum(g => ScalarOps.Square(g).sum().item<float>()));
                Assert.Equal(norm, norms[i].item<float>(), 4);
                double factor = Math.Min(1, clip / (norm + 1e-6));
                for (int p = 0; p < parameters.Length; p++)
                {
                    reference[p] = ScalarOps.Add(reference[p], ScalarOps.With(factor, f => grads[p].mul(f)));
                }
            }

            for (int p = 0; p < parameters.Length; p++)
            {
                double difference = (fast[p] - reference[p]).abs().max().item<float>();
                double scale = reference[p].abs().max().item<float>();
                Assert.True(difference <= 1e-4 * scale + 1e-6, $"parameter {p}: max difference {difference} at scale {scale}: {string.Join(" ", fast[p].data<float>().ToArray().Take(8))} vs {string.Join(" ", reference[p].data<float>().ToArray().Take(8))}");
            }
        }
    }

    [Fact]
    public void Given_MadeModel_When_LaterColumnChanges_Then_EarlierColumnsConditionalsDoNotChange()
    {
        using DisposeScope scope = NewDisposeScope();
        (MadeModel model, Tensor batch) = TinyModelAndBatch();
        using (model)
        using (no_grad())
        {
            Tensor before = model.Logits(batch);
            Tensor changed = batch.clone();
            changed.narrow(1, 3, 4).zero_(); // column 1 (codes 3..6) changed to code 0 for every row
            ScalarOps.With(1.0, one => changed.narrow(1, 3, 1).fill_(one));
            Tensor after = model.Logits(changed);

            // Columns 0 and 1 (logit slots 0..6) depend only on earlier columns; column 2 (slots 7..8) may change.
            Assert.True(allclose(before.narrow(1, 0, 7), after.narrow(1, 0, 7)));
            Assert.False(allclose(before.narrow(1, 7, 2), after.narrow(1, 7, 2)));
        }
    }

    [Fact]
    public void Given_SeededSource_When_GaussianNoiseDrawn_Then_MeanAndVarianceMatchWithinFourStandardErrors()
    {
        // Seed 2024, n = 200,000 draws of N(0, 3^2): the sample mean has standard error 3/sqrt(n), the
        // sample variance 9 sqrt(2/(n-1)); four standard errors fail a correct sampler with probability < 1e-4.
        const int n = 200_000;
        var values = new float[n];
        GaussianNoise.Fill(values, 3, new SeededRandomSource(2024));

        double mean = values.Average(v => (double)v);
        double variance = values.Sum(v => (v - mean) * (v - mean)) / (n - 1);

        Assert.InRange(mean, -4 * 3 / Math.Sqrt(n), 4 * 3 / Math.Sqrt(n));
        Assert.InRange(variance, 9 * (1 - 4 * Math.Sqrt(2.0 / (n - 1))), 9 * (1 + 4 * Math.Sqrt(2.0 / (n - 1))));
    }

    [Fact]
    public void Given_SeededSource_When_PoissonSampled_Then_BatchSizeIsBinomialAndIndicesAreDistinct()
    {
        // Seed 7, n = 100,000, q = 0.03: batch size ~ Binomial(n, q), mean 3000, sd sqrt(n q (1 - q)) ~ 53.9; accept +-4 sd.
        const int n = 100_000;
        const double q = 0.03;
        long[] batch = PoissonSampler.Sample(n, q, new SeededRandomSource(7));

        double sd = Math.Sqrt(n * q * (1 - q));
        Assert.InRange(batch.Length, n * q - 4 * sd, n * q + 4 * sd);
        Assert.Equal(batch.Length, batch.Distinct().Count());
        Assert.True(batch.Zip(batch.Skip(1), (a, b) => a < b).All(x => x));
    }

    [Fact]
    public void Given_EmptyBatch_When_Stepped_Then_ParametersStillMoveByNoiseOnly()
    {
        using DisposeScope scope = NewDisposeScope();
        (MadeModel model, Tensor batch) = TinyModelAndBatch();
        using (model)
        {
            Tensor before = model.Layers[0].Bias.detach().clone();
            using var optimizer = new DpSgdOptimizer(model.Layers, new DpSgdSettings(1, 1, 6, 1e-2), new SeededRandomSource(3));

            optimizer.Step(null);

            Assert.False(allclose(before, model.Layers[0].Bias.detach()));
        }
    }
}
