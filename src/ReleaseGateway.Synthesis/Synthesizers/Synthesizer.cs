using System.Diagnostics;
using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Synthesis.Marginals;
using ReleaseGateway.Synthesis.Models;

namespace ReleaseGateway.Synthesis.Synthesizers;

/// <summary>
/// Entry point of differentially private synthesis: measures noisy marginals through an
/// <see cref="IMarginalSource"/>, fits a graphical model and samples a synthetic table.
/// </summary>
/// <remarks>
/// Privacy guarantee: the output (table, cliques, row count, accounting record) is
/// (epsilon, delta)-differentially private with respect to adding or removing one record, provided
/// the domain (the source's domain sizes) is public. The budget rho = ZcdpConversion.Rho(epsilon,
/// delta), or <see cref="SynthesisOptions.RhoPerRow"/> when given (then the run is that rho-zCDP per row), is spent by discrete Gaussian measurements and exponential-mechanism selections composed
/// in zCDP; <see cref="SynthesisResult.RhoSpent"/> never exceeds it. Seeded runs are reproducible
/// but only private while the seed is secret.
/// </remarks>
public static class Synthesizer
{
    /// <summary>
    /// The smallest share of the budget rho any one measurement gets, per column: the 1-way phase's second stage,
    /// (1 - <see cref="SynthesisTuning.OneWayFirstStageShare"/>) of the 1-way share of rho, split over the d columns. The
    /// adaptive rounds measure one marginal each with at least rho_rounds / d (AIM; MST's pairs get (d - 1) / rho_pairs with
    /// rho_pairs = half of rho), so their sigma is smaller.
    /// </summary>
    private static double SmallestShare => Math.Min(SynthesisTuning.AimOneWayShare, MstSynthesizer.OneWayShare) * (1 - SynthesisTuning.OneWayFirstStageShare);

    /// <summary>
    /// An upper bound on the noise scale sigma of every discrete Gaussian measurement AIM and MST make for a table of
    /// <paramref name="columns"/> columns at (<paramref name="epsilon"/>, <paramref name="delta"/>): sigma = sqrt(d / (2 rho s))
    /// with rho = <see cref="ZcdpConversion.Rho"/>(epsilon, delta) and s the smallest share (a measurement with L2
    /// sensitivity 1 and noise sigma costs 1 / (2 sigma^2), Canonne, Kamath and Steinke 2020, Theorem 4). A release can be
    /// made only when this is at most <see cref="Privacy.Mechanisms.DiscreteGaussian.MaxSigma"/>: the gateway checks it
    /// when a request (or a regeneration) is submitted, so a tiny epsilon is refused instead of failing in generation.
    /// </summary>
    public static double LargestNoiseScale(double epsilon, double delta, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        double rho = ZcdpConversion.Rho(epsilon, delta);
        return rho > 0 ? Math.Sqrt(columns / (2 * rho * SmallestShare)) : double.PositiveInfinity;
    }

    /// <summary>Synthesizes a table with the same columns and domain as <paramref name="source"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">epsilon, delta or rows out of range.</exception>
    public static SynthesisResult Run(IMarginalSource source, SynthesisOptions options, IProgress<SynthesisProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
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

        if (options.MaxMarginalColumns is < 2 or > 3)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxMarginalColumns, "the largest marginal has 2 or 3 columns");
        }

        if (source.DomainSizes.Count == 0)
        {
            throw new ArgumentException("the source has no columns", nameof(source));
        }

        if (options.RhoPerRow is double perRow && !(perRow > 0 && double.IsFinite(perRow)))
        {
            throw new ArgumentOutOfRangeException(nameof(options), perRow, "rho per row must be positive and finite");
        }

        IRandomSource random = options.Random ?? (options.Seed is long seed ? new SeededRandomSource(seed) : new CryptoRandomSource());
        double rho = options.RhoPerRow ?? ZcdpConversion.Rho(options.Epsilon, options.Delta);
        var accountant = new ZcdpAccountant(rho);
        var measurer = new Measurer(source, accountant, random);
        progress?.Report(new SynthesisProgress("measuring 1-way marginals", 0));
        (GraphicalModel model, List<int[]> cliques) = options.Method switch
        {
            SynthesisMethod.Mst => MstSynthesizer.Run(measurer, source.ColumnNames, rho, progress),
            _ => AimSynthesizer.Run(measurer, source.ColumnNames, rho, options.MaxMarginalColumns, progress),
        };

        Debug.Assert(accountant.SpentRho <= rho * (1 + 1e-9), "the accountant refuses overspending");
        progress?.Report(new SynthesisProgress("sampling records", 0.9));
        int rows = options.Rows ?? (int)Math.Max(1, Math.Round(model.Total));
        int[][] columns = ModelSampler.Sample(model, rows, random);
        progress?.Report(new SynthesisProgress("done", 1));
        return new SynthesisResult
        {
            Table = new EncodedTable(source.ColumnNames, source.DomainSizes, columns),
            Method = options.Method,
            Epsilon = options.Epsilon,
            Delta = options.Delta,
            RhoBudget = rho,
            RhoSpent = accountant.SpentRho,
            Charges = accountant.Charges,
            Cliques = cliques.Select(c => (IReadOnlyList<string>)c.Select(a => source.ColumnNames[a]).ToArray()).ToArray(),
            EstimatedRecords = model.Total,
            Measurements = measurer.Measurements.ToArray(),
        };
    }
}
