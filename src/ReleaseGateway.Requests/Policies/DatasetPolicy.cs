namespace ReleaseGateway.Requests.Policies;

/// <summary>
/// What a dataset allows: its total privacy budget, the most one release may spend, how many releases,
/// which generators, which workflow decides, how long a release stays downloadable, and the evaluation
/// gates a release must pass. Read from <c>policies/default.yaml</c>, overridden per dataset by
/// <c>policies/DATASET.yaml</c> (docs/workflow.md).
/// </summary>
/// <param name="Name">The file's name: <c>default</c> or the dataset name it applies to.</param>
/// <param name="Epsilon">Total ε over every release of the dataset.</param>
/// <param name="Delta">Total δ over every release of the dataset.</param>
/// <param name="MinEpsilonPerRelease">The least ε one request may ask for: below it the noise drowns the data (and, far below, exceeds what the mechanisms can draw).</param>
/// <param name="MinSourceRows">The fewest records a source table may have; a smaller table is refused at upload.</param>
/// <param name="OptionalSteps">Optional steps of the workflow that apply to this dataset (e.g. <c>AwaitingSignOff</c>).</param>
/// <param name="Gates">The merged <c>gates:</c> section as data (policy key → threshold). The evaluation module owns the
/// keys and their ranges: it checks them at start-up (<see cref="PolicySectionsCheck"/>) and reads them for each release.</param>
/// <param name="ShadowModel">The merged <c>shadowModel:</c> section, likewise.</param>
public sealed record DatasetPolicy(
    string Name,
    double Epsilon,
    double Delta,
    double MaxEpsilonPerRelease,
    double MinEpsilonPerRelease,
    int MaxReleases,
    int MaxRowsPerRelease,
    int MinSourceRows,
    IReadOnlyList<string> AllowedGenerators,
    string Workflow,
    IReadOnlyList<string> OptionalSteps,
    int ReleaseExpiryDays,
    IReadOnlyDictionary<string, double> Gates,
    IReadOnlyDictionary<string, double> ShadowModel,
    IReadOnlyList<string> SourceFiles);

/// <summary>Generators the synthesis engine provides.</summary>
public static class KnownGenerators
{
    public static readonly IReadOnlySet<string> All = new HashSet<string> { "aim", "mst", "made" };
}
