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
/// <param name="Table">The synthetic table.</param>
/// <param name="AccountedCost">The cost a generator accounted outside zCDP itself; null for zCDP generators.</param>
/// <param name="Measurements">The DP measurements the release report compares the table with.</param>
/// <param name="Facts">What the generator reports about its run for the command line (its own accounting, steps); not part of a release.</param>
public sealed record GeneratorOutput(EncodedTable Table, PrivacyCost? AccountedCost, DpMeasurements Measurements,
    IReadOnlyDictionary<string, object>? Facts = null);

/// <summary>
/// The executable part of one catalog generator (ADR 0034): its version, its run (charging its cost as its
/// <see cref="GeneratorDescriptor.Accounting"/> says), the check of a run's options, and the shadow-model factory the
/// evaluation uses, which exists exactly when <see cref="GeneratorDescriptor.HasShadowModel"/>. An entry of a plug-in
/// generator (ADR 0043) is declared here with the plug-in's name and has no run until the plug-in is installed.
/// </summary>
public sealed class GeneratorEntry
{
    private readonly Func<GeneratorRun, GeneratorOutput>? run;
    private readonly Func<SchemaCoding, double, double, SyntheticGenerator>? shadow;
    private readonly string? version;

    public GeneratorEntry(GeneratorDescriptor descriptor, Assembly implementation, Func<GeneratorRun, GeneratorOutput> run,
        Func<SchemaCoding, double, double, SyntheticGenerator>? shadow, string? plugin = null)
        : this(descriptor, plugin, run, shadow)
    {
        ArgumentNullException.ThrowIfNull(implementation);
        ArgumentNullException.ThrowIfNull(run);
        version = VersionOf(implementation);
    }

    private GeneratorEntry(GeneratorDescriptor descriptor, string? plugin, Func<GeneratorRun, GeneratorOutput>? run,
        Func<SchemaCoding, double, double, SyntheticGenerator>? shadow)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (run is not null && descriptor.HasShadowModel != shadow is not null)
            throw new ArgumentException(descriptor.HasShadowModel
                ? $"generator '{descriptor.Name}' declares a shadow model but registers no factory"
                : $"generator '{descriptor.Name}' declares no shadow model ({descriptor.NoShadowModelReason}) but registers a factory");
        Descriptor = descriptor;
        Plugin = plugin;
        this.run = run;
        this.shadow = shadow;
    }

    /// <summary>
    /// A generator whose execution lives in the plug-in assembly <paramref name="plugin"/> (ADR 0043): its public facts and
    /// options check work everywhere; running it needs the plug-in installed (<see cref="GeneratorRegistry.Install"/>).
    /// </summary>
    public static GeneratorEntry Declared(GeneratorDescriptor descriptor, string plugin)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(plugin);
        return new GeneratorEntry(descriptor, plugin, run: null, shadow: null);
    }

    public GeneratorDescriptor Descriptor { get; }

    public string Name => Descriptor.Name;

    /// <summary>The plug-in assembly that executes this generator; null for a generator built into every node.</summary>
    public string? Plugin { get; }

    /// <summary>False for a plug-in generator whose plug-in this process has not loaded: it can be checked, not run.</summary>
    public bool IsInstalled => run is not null;

    /// <summary>
    /// The job engine's execution group of a release attempt with this generator: null (any node) for a built-in one;
    /// for a plug-in generator only nodes that installed the plug-in serve the group (ADR 0043).
    /// </summary>
    public string? ExecutionGroup => Plugin is null ? null : $"generator-{Name}";

    /// <summary>The implementing assembly's name and informational version, recorded in every generation.</summary>
    public string Version => version ?? $"{Plugin} (not installed on this node)";

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
        return (run ?? throw new GeneratorNotInstalledException(this))(r);
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
    private readonly Lock gate = new();
    private volatile Dictionary<string, GeneratorEntry> entries;

    public GeneratorRegistry(IEnumerable<GeneratorEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var all = entries.ToList();
        var duplicate = all.GroupBy(e => e.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"generator '{duplicate.Key}' is registered {duplicate.Count()} times");
        var foreign = all.FirstOrDefault(e => !GeneratorCatalog.IsKnown(e.Name) || GeneratorCatalog.Get(e.Name) != e.Descriptor);
        if (foreign is not null) throw new ArgumentException($"generator '{foreign.Name}' is not the catalog's descriptor of that name");
        var missing = GeneratorCatalog.Names.Except(all.Select(e => e.Name), StringComparer.Ordinal).ToList();
        if (missing.Count > 0) throw new ArgumentException($"no entry for catalog generator(s) {string.Join(", ", missing)}");
        this.entries = all.ToDictionary(e => e.Name, StringComparer.Ordinal);
    }

    /// <summary>The assembly of the neural generator's plug-in (ADR 0043), the only part of the gateway that needs libtorch.</summary>
    public const string NeuralPlugin = "ReleaseGateway.Releases.Neural";

    /// <summary>
    /// aim and mst from the marginal engine (zCDP), built in; made (DP-SGD, Rényi DP) declared, run by the neural plug-in
    /// where it is installed (<see cref="GeneratorPlugins"/>).
    /// </summary>
    public static GeneratorRegistry Default { get; } =
        new([Marginal(GeneratorCatalog.Aim), Marginal(GeneratorCatalog.Mst), GeneratorEntry.Declared(GeneratorCatalog.Made, NeuralPlugin)]);

    /// <summary>Every catalog generator's entry, in catalog order (installed or declared).</summary>
    public IReadOnlyList<GeneratorEntry> Entries
    {
        get
        {
            var current = entries;
            return [.. GeneratorCatalog.Names.Where(current.ContainsKey).Select(n => current[n])];
        }
    }

    /// <summary>The entry of that name; <see cref="UnknownGeneratorException"/> (listing the known ones) otherwise.</summary>
    public GeneratorEntry Get(string? name) => name is not null && entries.TryGetValue(name, out var entry) ? entry : throw new UnknownGeneratorException(name);

    /// <summary>
    /// Installs a plug-in's executable entries over the entries declared for them: same descriptor, same plug-in name.
    /// Installing the same generator again keeps the first (a plug-in is loaded once per process).
    /// </summary>
    public void Install(IEnumerable<GeneratorEntry> installed)
    {
        ArgumentNullException.ThrowIfNull(installed);
        lock (gate)
        {
            var next = new Dictionary<string, GeneratorEntry>(entries, StringComparer.Ordinal);
            foreach (var entry in installed)
            {
                if (!next.TryGetValue(entry.Name, out var declared) || declared.Descriptor != entry.Descriptor)
                    throw new ArgumentException($"generator '{entry.Name}' is not the catalog's descriptor of that name");
                if (declared.Plugin is null || declared.Plugin != entry.Plugin || !entry.IsInstalled)
                    throw new ArgumentException($"generator '{entry.Name}' is not declared as a plug-in of {entry.Plugin ?? "(none)"}");
                if (!declared.IsInstalled) next[entry.Name] = entry;
            }
            entries = next;
        }
    }

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

    /// <summary>Progress reported on the caller's thread (System.Progress would post to the thread pool, out of order).</summary>
    public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

/// <summary>A plug-in generator was asked to run in a process that has not loaded its plug-in (ADR 0043).</summary>
public sealed class GeneratorNotInstalledException(GeneratorEntry entry)
    : InvalidOperationException($"generator '{entry.Name}' is not installed on this node: it runs only where its plug-in {entry.Plugin} is loaded " +
        $"({GeneratorPlugins.ConfigurationKey}, or the image's plugins folder; docs/deployment.md)")
{
    public string Name { get; } = entry.Name;
}
