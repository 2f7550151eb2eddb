using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Datasets.Generators;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Synthesis.Models;

namespace ReleaseGateway.Synthesis.Synthesizers;

/// <summary>How the marginals to measure are chosen.</summary>
public enum SynthesisMethod
{
    /// <summary>
    /// Adaptive, workload-aware selection (AIM class, McKenna et al. 2022): rounds of
    /// exponential-mechanism selection among 2- and 3-way marginals, each measured and folded into
    /// the model, with the budget annealed as the model improves. The default (see docs/synthesis.md).
    /// </summary>
    Aim,

    /// <summary>Maximum spanning tree of 2-way marginals (MST, McKenna, Miklau and Sheldon 2021).</summary>
    Mst,
}

/// <summary>The catalog's marginal-based generators (ADR 0034) and the selection strategy each runs.</summary>
public static class MarginalGenerators
{
    /// <summary>The strategy of <paramref name="generator"/>; an <see cref="ArgumentException"/> for any other generator.</summary>
    public static SynthesisMethod MethodOf(GeneratorDescriptor generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return generator == GeneratorCatalog.Aim ? SynthesisMethod.Aim
            : generator == GeneratorCatalog.Mst ? SynthesisMethod.Mst
            : throw new ArgumentException($"'{generator.Name}' is not a marginal-based generator (those are {GeneratorCatalog.Aim.Name} and {GeneratorCatalog.Mst.Name})");
    }
}

/// <summary>Parameters of one synthesis run.</summary>
public sealed record SynthesisOptions
{
    /// <summary>Selection strategy; <see cref="SynthesisMethod.Aim"/> by default.</summary>
    public SynthesisMethod Method { get; init; } = SynthesisMethod.Aim;

    /// <summary>
    /// Largest marginal the adaptive method (<see cref="SynthesisMethod.Aim"/>) selects, in columns: 2 (default) keeps the
    /// model a forest (the fast path, ADR 0006); 3 selects among all 2- and 3-way marginals and grows a junction tree
    /// whose cliques may hold more columns, under AIM's model-size cap (ADR 0035). Ignored by MST.
    /// </summary>
    public int MaxMarginalColumns { get; init; } = 2;

    /// <summary>Total privacy parameter epsilon of the release, &gt; 0.</summary>
    public required double Epsilon { get; init; }

    /// <summary>Privacy parameter delta, in (0, 1); default 1e-9.</summary>
    public double Delta { get; init; } = ZcdpConversion.DefaultDelta;

    /// <summary>Number of synthetic rows; null (default) uses the noisy record count estimated from the measurements.</summary>
    public int? Rows { get; init; }

    /// <summary>Seed for reproducible runs (tests, benchmarks); null (default) uses cryptographic randomness.</summary>
    public long? Seed { get; init; }

    /// <summary>
    /// The zCDP budget per row, overriding ρ(<see cref="Epsilon"/>, <see cref="Delta"/>): the release pipeline passes
    /// <c>ReleaseBudgetPlan.SynthesisRhoPerRow</c>, i.e. (ρ − the release checks' share) / k² when a person contributes up
    /// to k rows, so every measurement is ρ/k²-zCDP per row and the run k²·(ρ/k²)-zCDP per person (group privacy, Bun and
    /// Steinke 2016, Prop. 1.9). Null (default): ρ(ε, δ) per row.
    /// </summary>
    public double? RhoPerRow { get; init; }

    /// <summary>The noise source (the attempt's secret CTR_DRBG stream in the pipeline); overrides <see cref="Seed"/>.</summary>
    public IRandomSource? Random { get; init; }
}

/// <summary>Progress of a run: the current stage and the fraction of the work done (0..1).</summary>
public sealed record SynthesisProgress(string Stage, double Fraction);

/// <summary>
/// Outcome of a run. <see cref="RhoSpent"/> and <see cref="Charges"/> are the accounting record a
/// privacy ledger composes (rho adds up across releases); they never exceed <see cref="RhoBudget"/>.
/// </summary>
public sealed record SynthesisResult
{
    /// <summary>The synthetic table, same columns and domain as the input.</summary>
    public required EncodedTable Table { get; init; }

    /// <summary>Method used.</summary>
    public required SynthesisMethod Method { get; init; }

    /// <summary>Epsilon of the (epsilon, delta) guarantee.</summary>
    public required double Epsilon { get; init; }

    /// <summary>Delta of the (epsilon, delta) guarantee.</summary>
    public required double Delta { get; init; }

    /// <summary>zCDP budget rho equivalent to (epsilon, delta) by the tight conversion.</summary>
    public required double RhoBudget { get; init; }

    /// <summary>zCDP rho actually spent (sum of <see cref="Charges"/>), at most <see cref="RhoBudget"/>.</summary>
    public required double RhoSpent { get; init; }

    /// <summary>Every mechanism invocation and its rho, in order.</summary>
    public required IReadOnlyList<RhoCharge> Charges { get; init; }

    /// <summary>Attribute sets (column names) measured beyond the 1-way marginals.</summary>
    public required IReadOnlyList<IReadOnlyList<string>> Cliques { get; init; }

    /// <summary>Noisy estimate of the number of input records (differentially private).</summary>
    public required double EstimatedRecords { get; init; }

    /// <summary>
    /// Every noisy marginal measurement the run paid for (values with their noise variance): differentially private, so
    /// comparing the synthetic table with them (the release report) is post-processing and costs nothing more.
    /// </summary>
    public IReadOnlyList<Measurement> Measurements { get; init; } = [];
}
