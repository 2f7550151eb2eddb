using System.Reflection;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Datasets.Generators;
using ReleaseGateway.Evaluation.Attacks;
using ReleaseGateway.Evaluation.Tables;
using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Releases.Reports;
using ReleaseGateway.Synthesis.Marginals;
using ReleaseGateway.Synthesis.Neural.Generators;
using ReleaseGateway.Synthesis.Synthesizers;

namespace ReleaseGateway.Releases.Generators;

/// <summary>One run of a generator.</summary>
/// <param name="Train">The training rows (bounded to k per person, holdout removed).</param>
/// <param name="Epsilon">ε of the release.</param>
/// <param name="Delta">δ of the release.</param>
/// <param name="Rows">Synthetic rows; null for the noisy record count.</param>
/// <param name="Budget">The release's budget plan: ρ per row for synthesis, the release checks' reserved ρ, k.</param>
/// <param name="Random">The attempt's secret noise stream.</param>
/// <param name="Progress">Fraction of the run done (0–1) and a stage text.</param>
/// <param name="Marginals">
/// The training part's counts when the rows stay in a database engine (ADR 0038); then <paramref name="Train"/> is null and
/// only generators that read marginals can run.
/// </param>
public sealed record GeneratorRun(EncodedTable? Train, double Epsilon, double Delta, int? Rows, ReleaseBudgetPlan Budget, IRandomSource Random,
    Action<double, string> Progress, IMarginalSource? Marginals = null);

/// <summary>
/// The synthetic table; for generators accounted outside zCDP, the cost they accounted themselves; the DP measurements
/// the release report compares the table with (none for generators that measure no marginals).
/// </summary>
public sealed record GeneratorOutput(EncodedTable Table, PrivacyCost? AccountedCost, DpMeasurements Measurements);

/// <summary>
/// The executable part of one catalog generator (ADR 0034): its version, its run (charging its cost as its
/// <see cref="GeneratorDescriptor.Accounting"/> says), the check of a run's options, and the shadow-model factory the
/// evaluation uses, which exists exactly when <see cref="GeneratorDescriptor.HasShadowModel"/>.
/// </summary>
public sealed class GeneratorEntry
{
    private readonly Func<GeneratorRun, GeneratorOutput> run;
    private readonly Func<SchemaCoding, double, double, SyntheticGenerator>? shadow;

    public GeneratorEntry(GeneratorDescriptor descriptor, Assembly implementation, Func<GeneratorRun, GeneratorOutput> run,
        Func<SchemaCoding, double, double, SyntheticGenerator>? shadow)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(implementation);
        ArgumentNullException.ThrowIfNull(run);
        if (descriptor.HasShadowModel != shadow is not null)
            throw new ArgumentException(descriptor.HasShadowModel
                ? $"generator '{descriptor.Name}' declares a shadow model but registers no factory"
                : $"generator '{descriptor.Name}' declares no shadow model ({descriptor.NoShadowModelReason}) but registers a factory");
        Descriptor = descriptor;
        Version = VersionOf(implementation);
        this.run = run;
        this.shadow = shadow;
    }

    public GeneratorDescriptor Descriptor { get; }

    public string Name => Descriptor.Name;

    /// <summary>The implementing assembly's name and informational version, recorded in every generation.</summary>
    public string Version { get; }

    /// <summary>What is wrong with <paramref name="r"/> for this generator; empty when it may run.</summary>
    public IReadOnlyList<string> Validate(GeneratorRun r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var problems = new List<string>();
        if (!(r.Epsilon > 0) || !double.IsFinite(r.Epsilon)) problems.Add($"ε must be a positive finite number, not {r.Epsilon}");
        if (!(r.Delta > 0 && r.Delta < 1)) problems.Add($"δ must be in (0, 1), not {r.Delta}");
        if (r.Rows is < 1) problems.Add($"rows must be at least 1, not {r.Rows}");
        if (!Descriptor.SupportsPersonLevel && r.Budget.MaxRowsPerPerson != 1)
            problems.Add($"generator '{Name}' protects one row; it cannot run with {r.Budget.MaxRowsPerPerson} rows per person (no person-level bounding)");
        if (r.Train is null && (r.Marginals is null || Descriptor.Accounting != GeneratorCostAccounting.Zcdp))
            problems.Add($"generator '{Name}' trains on rows in memory; a source counted in a database engine supports the marginal generators only");
        if (Descriptor.Accounting == GeneratorCostAccounting.Zcdp && !(r.Budget.SynthesisRhoPerRow > 0))
            problems.Add($"the budget plan leaves no ρ for synthesis (ρ per row {r.Budget.SynthesisRhoPerRow})");
        return problems;
    }

    /// <summary>Runs the generator after <see cref="Validate"/>; refuses (ArgumentException) a run it cannot do.</summary>
    public GeneratorOutput Run(GeneratorRun r)
    {
        var problems = Validate(r);
        if (problems.Count > 0) throw new ArgumentException($"generator '{Name}': {string.Join("; ", problems)}");
        return run(r);
    }

    /// <summary>
    /// The release's own generator, retrainable for the shadow-model attack; null exactly when the descriptor says it
    /// has none (<see cref="GeneratorDescriptor.NoShadowModelReason"/>).
    /// </summary>
    public SyntheticGenerator? CreateShadowModel(SchemaCoding coding, double epsilon, double delta) => shadow?.Invoke(coding, epsilon, delta);

    private static string VersionOf(Assembly assembly)
    {
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? assembly.GetName().Version?.ToString() ?? "unknown";
        return $"{assembly.GetName().Name} {version}";
    }
}

/// <summary>
/// The one registry of generators (ADR 0034): one executable entry for each <see cref="GeneratorCatalog"/> descriptor,
/// checked complete when built. Every place that runs, versions or shadows a generator asks it; unknown names throw
/// <see cref="UnknownGeneratorException"/>, never fall back.
/// </summary>
public sealed class GeneratorRegistry
{
    private readonly Dictionary<string, GeneratorEntry> entries;

    public GeneratorRegistry(IEnumerable<GeneratorEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        Entries = entries.ToList();
        var duplicate = Entries.GroupBy(e => e.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"generator '{duplicate.Key}' is registered {duplicate.Count()} times");
        var foreign = Entries.FirstOrDefault(e => !GeneratorCatalog.IsKnown(e.Name) || GeneratorCatalog.Get(e.Name) != e.Descriptor);
        if (foreign is not null) throw new ArgumentException($"generator '{foreign.Name}' is not the catalog's descriptor of that name");
        var missing = GeneratorCatalog.Names.Except(Entries.Select(e => e.Name), StringComparer.Ordinal).ToList();
        if (missing.Count > 0) throw new ArgumentException($"no executable entry for catalog generator(s) {string.Join(", ", missing)}");
        this.entries = Entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
    }

    /// <summary>aim and mst from the marginal engine (zCDP), made from the neural engine (DP-SGD, Rényi DP).</summary>
    public static GeneratorRegistry Default { get; } = new([Marginal(GeneratorCatalog.Aim), Marginal(GeneratorCatalog.Mst), Neural()]);

    public IReadOnlyList<GeneratorEntry> Entries { get; }

    /// <summary>The entry of that name; <see cref="UnknownGeneratorException"/> (listing the known ones) otherwise.</summary>
    public GeneratorEntry Get(string? name) => name is not null && entries.TryGetValue(name, out var entry) ? entry : throw new UnknownGeneratorException(name);

    /// <summary>A marginal-based generator: zCDP at the plan's ρ per row (ρ/k² for k rows per person, group privacy).</summary>
    private static GeneratorEntry Marginal(GeneratorDescriptor descriptor)
    {
        var method = MarginalGenerators.MethodOf(descriptor);
        return new(descriptor, typeof(Synthesizer).Assembly,
            r =>
            {
                var result = Synthesizer.Run(r.Marginals ?? new TableMarginalSource(r.Train!),
                    new SynthesisOptions
                    {
                        Method = method, Epsilon = r.Epsilon, Delta = r.Delta, Rows = r.Rows, RhoPerRow = r.Budget.SynthesisRhoPerRow, Random = r.Random,
                    },
                    new SyncProgress<SynthesisProgress>(p => r.Progress(p.Fraction, p.Stage)));
                return new GeneratorOutput(result.Table, AccountedCost: null, DpMeasurements.From(result.Measurements, result.Table.ColumnNames));
            },
            (coding, epsilon, delta) => MarginalSynthesizerGenerator.Create(coding, method, epsilon, delta));
    }

    /// <summary>
    /// DP-SGD, accounted per example in Rényi DP with the release checks' and DP binning's ρ reserved before σ is calibrated; its Rényi
    /// curve is the accounted cost. No shadow model (see the descriptor).
    /// </summary>
    private static GeneratorEntry Neural() => new(GeneratorCatalog.Made, typeof(NeuralSynthesizer).Assembly,
        r =>
        {
            var result = NeuralSynthesizer.Run(r.Train!,
                new NeuralSynthesisOptions { Epsilon = r.Epsilon, Delta = r.Delta, Rows = r.Rows, ReservedRho = r.Budget.GateRho + r.Budget.BinningRho, Random = r.Random },
                new SyncProgress<NeuralTrainingProgress>(p => r.Progress((double)p.Step / Math.Max(1, p.Steps), $"epoch {p.Epoch:0.#}, ε spent {p.EpsilonSpent:0.###}")));
            return new GeneratorOutput(result.Table, new PrivacyCost(0, result.Accountant.TotalRdp.ToArray()), DpMeasurements.None);
        },
        shadow: null);

    /// <summary>Progress reported on the caller's thread (System.Progress would post to the thread pool, out of order).</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
