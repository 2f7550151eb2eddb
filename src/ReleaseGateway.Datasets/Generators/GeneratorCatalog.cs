namespace ReleaseGateway.Datasets.Generators;

/// <summary>How a generator's privacy cost is accounted in the release's budget (ADR 0034).</summary>
public enum GeneratorCostAccounting
{
    /// <summary>
    /// zCDP: the generator runs at the release plan's <c>SynthesisRhoPerRow</c> (ρ of the release minus the release
    /// checks' ε_g²/2, divided by k² for k rows per person), composed additively (Bun and Steinke 2016).
    /// </summary>
    Zcdp,

    /// <summary>
    /// DP-SGD accounted per example in Rényi DP (Mironov 2017; Mironov, Talwar and Zhang 2019) with the release checks'
    /// ρ reserved in the accountant before σ is calibrated; the Rényi curve is recorded as the accounted cost.
    /// </summary>
    RenyiDpSgd,
}

/// <summary>
/// The public facts of one generator: what requests, policies, forms and the command line may know without loading
/// the synthesis engines. The executable part (run, version, shadow model) is registered downstream
/// (<c>ReleaseGateway.Releases.Generators.GeneratorRegistry</c>) for exactly these entries.
/// </summary>
/// <param name="Name">The name in policies (<c>allowedGenerators</c>), requests and <c>rgw synth --method</c>.</param>
/// <param name="Title">Short human title for forms and help.</param>
/// <param name="Description">One sentence on what it does and when to choose it.</param>
/// <param name="Accounting">How its cost is charged.</param>
/// <param name="SupportsPersonLevel">Whether it can run with k &gt; 1 rows per person (group privacy, ADR 0024).</param>
/// <param name="NoShadowModelReason">
/// Null when the evaluation can retrain it for the shadow-model attack; otherwise why it cannot (its releases are
/// evaluated without that attack, the other attacks and the empirical-ε bound still run). A capability, not a fallback.
/// </param>
public sealed record GeneratorDescriptor(string Name, string Title, string Description, GeneratorCostAccounting Accounting,
    bool SupportsPersonLevel, string? NoShadowModelReason)
{
    /// <summary>Whether the evaluation retrains this generator for the shadow-model attack.</summary>
    public bool HasShadowModel => NoShadowModelReason is null;
}

/// <summary>An unknown generator name: always refused, never replaced by a default.</summary>
public sealed class UnknownGeneratorException(string? name)
    : ArgumentException($"unknown generator '{name}' (known: {string.Join(", ", GeneratorCatalog.Names)})")
{
    /// <summary>The name that was asked for.</summary>
    public string? Name { get; } = name;
}

/// <summary>The one list of generators the gateway provides (ADR 0034). Names are case-sensitive, lower case.</summary>
public static class GeneratorCatalog
{
    /// <summary>AIM-class adaptive marginals (McKenna et al. 2022, arXiv 2201.12677), the default (ADR 0006).</summary>
    public static GeneratorDescriptor Aim { get; } = new("aim", "AIM (adaptive marginals)",
        "Selects 2- and 3-way marginals adaptively by the exponential mechanism and fits a graphical model to them (McKenna et al. 2022); the default.",
        GeneratorCostAccounting.Zcdp, SupportsPersonLevel: true, NoShadowModelReason: null);

    /// <summary>MST (McKenna, Miklau and Sheldon 2021, arXiv 2108.04978).</summary>
    public static GeneratorDescriptor Mst { get; } = new("mst", "MST (maximum spanning tree)",
        "Measures the 2-way marginals of a private maximum spanning tree and fits a tree model (McKenna, Miklau and Sheldon 2021).",
        GeneratorCostAccounting.Zcdp, SupportsPersonLevel: true, NoShadowModelReason: null);

    /// <summary>The DP-SGD masked autoregressive network (ADRs 0017, 0018).</summary>
    public static GeneratorDescriptor Made { get; } = new("made", "MADE (DP-SGD neural network)",
        "Trains a masked autoregressive network with DP-SGD (Abadi et al. 2016); protects one row, so only where the privacy unit is the row.",
        GeneratorCostAccounting.RenyiDpSgd, SupportsPersonLevel: false,
        NoShadowModelReason: "retraining the neural generator tens of times for shadow models is too slow; its releases are attacked without them");

    /// <summary>The generator used when a request names none.</summary>
    public static GeneratorDescriptor Default => Aim;

    /// <summary>Every generator, in the order forms and help list them.</summary>
    public static IReadOnlyList<GeneratorDescriptor> All { get; } = [Aim, Mst, Made];

    /// <summary>The names of <see cref="All"/>, in that order.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(g => g.Name).ToArray();

    /// <summary>Whether <paramref name="name"/> is a generator's name exactly (case-sensitive).</summary>
    public static bool IsKnown(string? name) => name is not null && All.Any(g => g.Name == name);

    /// <summary>The generator of that name; <see cref="UnknownGeneratorException"/> (listing the known ones) otherwise.</summary>
    public static GeneratorDescriptor Get(string? name) => All.FirstOrDefault(g => g.Name == name) ?? throw new UnknownGeneratorException(name);
}
