using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Synthesis.Neural.Generators;

/// <summary>Parameters of one DP-SGD synthesis run. Defaults are tuned on the shared clinical tables (docs/neural.md).</summary>
public sealed record NeuralSynthesisOptions
{
    /// <summary>Total epsilon of the release (noisy count + training), &gt; 0.</summary>
    public required double Epsilon { get; init; }

    /// <summary>Delta of the release, in (0, 1); default 1e-9.</summary>
    public double Delta { get; init; } = ZcdpConversion.DefaultDelta;

    /// <summary>Synthetic rows; null (default) uses the noisy record count.</summary>
    public int? Rows { get; init; }

    /// <summary>Seed for reproducible runs; null uses cryptographic randomness (a known seed voids the guarantee).</summary>
    public long? Seed { get; init; }

    /// <summary>The noise and sampling source (the attempt's secret CTR_DRBG stream in the pipeline); overrides <see cref="Seed"/>.</summary>
    public IRandomSource? Random { get; init; }

    /// <summary>
    /// zCDP ρ per row spent by mechanisms outside the generator on the same data (the release checks: ε_g²/2). It is
    /// composed into the accountant before training, so σ is calibrated for the rest and the whole release stays within
    /// (<see cref="Epsilon"/>, <see cref="Delta"/>); the reported Rényi curve includes it. Default 0.
    /// </summary>
    public double ReservedRho { get; init; }

    /// <summary>Passes over the data (in expectation); steps = Epochs / q.</summary>
    public double Epochs { get; init; } = 10;

    /// <summary>Expected Poisson batch size as a fraction of the noisy record count, before the clamps below.</summary>
    public double BatchFraction { get; init; } = 0.1;

    /// <summary>Smallest expected batch size.</summary>
    public int MinBatchSize { get; init; } = 128;

    /// <summary>Largest expected batch size.</summary>
    public int MaxBatchSize { get; init; } = 1024;

    /// <summary>Per-example clipping norm C.</summary>
    public double ClipNorm { get; init; } = 1.0;

    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; init; } = 3e-3;

    /// <summary>Hidden units per layer.</summary>
    public int Hidden { get; init; } = 128;

    /// <summary>Share of the budget (in zCDP rho) spent on the noisy record count; the rest trains the model.</summary>
    public double CountShare { get; init; } = 0.05;

    /// <summary>Share of the budget (in zCDP rho) spent on noisy 1-way marginals that initialise the model; 0 disables.</summary>
    public double MarginalShare { get; init; } = 0.3;

    /// <summary>
    /// Torch intra-op threads; 1 by default: the matrices are small, and on a shared CPU OpenMP's
    /// spinning worker threads cost more than they gain. Null keeps Torch's default.
    /// </summary>
    public int? Threads { get; init; } = 1;
}

/// <summary>
/// Progress of training, reported once per (expected) epoch. <see cref="Loss"/> is computed on the
/// private data and is for the operator's console only: it is not differentially private and must
/// never be released.
/// </summary>
/// <param name="Epoch">Completed epochs (steps x q).</param>
/// <param name="Step">Completed steps.</param>
/// <param name="Steps">Total steps.</param>
/// <param name="Loss">Mean negative log-likelihood per record over the last epoch's batches (nats; not private).</param>
/// <param name="EpsilonSpent">Epsilon of everything composed so far (noisy count + steps taken), at the run's delta.</param>
/// <param name="ClippedFraction">Fraction of examples clipped in the last epoch (not private).</param>
public sealed record NeuralTrainingProgress(double Epoch, int Step, int Steps, double Loss, double EpsilonSpent, double ClippedFraction);

/// <summary>Outcome of a run: the table and its privacy accounting record.</summary>
public sealed record NeuralSynthesisResult
{
    /// <summary>The synthetic table (same columns and domain as the input).</summary>
    public required ReleaseGateway.Datasets.Data.EncodedTable Table { get; init; }

    /// <summary>Target epsilon of the release.</summary>
    public required double Epsilon { get; init; }

    /// <summary>Delta of the release.</summary>
    public required double Delta { get; init; }

    /// <summary>Epsilon actually spent by the composition (at most <see cref="Epsilon"/>).</summary>
    public required double EpsilonSpent { get; init; }

    /// <summary>Rényi DP curve of the whole run at <see cref="RenyiAccountant.Orders"/>: what a ledger composes.</summary>
    public required RenyiAccountant Accountant { get; init; }

    /// <summary>Calibrated noise multiplier sigma.</summary>
    public required double NoiseMultiplier { get; init; }

    /// <summary>Poisson sampling rate q.</summary>
    public required double SamplingRate { get; init; }

    /// <summary>DP-SGD steps taken.</summary>
    public required int Steps { get; init; }

    /// <summary>Noisy record count (differentially private).</summary>
    public required long NoisyRecordCount { get; init; }

    /// <summary>Trainable parameters of the model.</summary>
    public required long Parameters { get; init; }
}
