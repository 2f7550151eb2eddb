using System.Globalization;
using System.Text.RegularExpressions;
using ReleaseGateway.Requests.Definitions;
using YamlDotNet.RepresentationModel;

namespace ReleaseGateway.Requests.Policies;

/// <summary>
/// Checks the sections of a policy file that belong to the evaluation module (<c>gates:</c>, <c>shadowModel:</c>),
/// which this module keeps as data: returns the first problem as <c>file:line:column: reason</c>, or null.
/// The host passes the evaluation module's own check (ADR 0032), so the workflow never references it.
/// </summary>
public delegate string? PolicySectionsCheck(string yaml, string file);

/// <summary>
/// Loads <c>policies/default.yaml</c> and every per-dataset override beside it, merges each override over
/// the default, and validates the result with <see cref="DatasetPolicyValidator"/>. Every problem names
/// the file and line of the value at fault; any problem stops start-up.
/// </summary>
public static class PolicyLoader
{
    public const string DefaultName = "default";

    private static readonly string[] Keys =
    [
        "budget", "maxEpsilonPerRelease", "minEpsilonPerRelease", "maxReleases", "minSourceRows", "maxRowsPerRelease", "allowedGenerators", "workflow",
        "optionalSteps", "releaseExpiryDays", "gates", "shadowModel", "privacyUnit", "releaseChecks", "evaluationSampleRows",
        "closeOut",
    ];

    /// <summary>Loads every policy, checking workflow names and optional steps against <paramref name="workflows"/>.</summary>
    /// <param name="noiseScale">The generators' noise bound, to check each policy's minimum ε can be realised (the host passes it).</param>
    public static PolicyCatalog LoadDirectory(string directory, Workflows.WorkflowCatalog workflows, PolicySectionsCheck evaluationSections,
        NoiseScaleBound? noiseScale = null) =>
        LoadDirectory(directory, workflows.Names, evaluationSections, workflows.All.ToDictionary(kv => kv.Key, kv => kv.Value.OptionalSteps), noiseScale);

    public static PolicyCatalog LoadDirectory(string directory, IReadOnlySet<string> knownWorkflows, PolicySectionsCheck evaluationSections,
        IReadOnlyDictionary<string, IReadOnlySet<string>>? optionalStepsByWorkflow = null, NoiseScaleBound? noiseScale = null)
    {
        if (!Directory.Exists(directory))
            throw new DefinitionException([new(directory, 0, 0, "policy folder not found")]);
        var files = Directory.GetFiles(directory, "*.yaml").Order(StringComparer.Ordinal)
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), File.ReadAllText);
        return Parse(files.ToDictionary(kv => Path.Combine(directory, kv.Key + ".yaml"), kv => kv.Value), knownWorkflows, evaluationSections, optionalStepsByWorkflow, noiseScale);
    }

    /// <summary>Parses policy files given as path → text; one must be <c>default.yaml</c>.</summary>
    public static PolicyCatalog Parse(IReadOnlyDictionary<string, string> files, IReadOnlySet<string> knownWorkflows,
        PolicySectionsCheck evaluationSections, IReadOnlyDictionary<string, IReadOnlySet<string>>? optionalStepsByWorkflow = null,
        NoiseScaleBound? noiseScale = null)
    {
        ArgumentNullException.ThrowIfNull(evaluationSections);
        var problems = new List<DefinitionProblem>();
        var raw = new Dictionary<string, RawPolicy>(StringComparer.Ordinal);
        var broken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, text) in files)
        {
            var reader = new YamlReader(path);
            var policy = Read(text, reader);
            problems.AddRange(reader.Problems);
            if (reader.Problems.Count == 0 && evaluationSections(text, path) is { } gatesProblem)
                problems.Add(EvaluationProblem(gatesProblem));
            if (problems.Count > 0 && problems[^1].File == path) broken.Add(Path.GetFileNameWithoutExtension(path));
            if (policy is not null) raw[Path.GetFileNameWithoutExtension(path)] = policy;
        }

        if (!raw.TryGetValue(DefaultName, out var defaults))
        {
            if (problems.Count == 0)
                problems.Add(new(files.Keys.FirstOrDefault() is { } any ? Path.Combine(Path.GetDirectoryName(any) ?? ".", "default.yaml") : "policies/default.yaml",
                    0, 0, "policies/default.yaml is required: it holds the defaults every dataset inherits"));
            throw new DefinitionException(problems);
        }

        var validator = new DatasetPolicyValidator(knownWorkflows, optionalStepsByWorkflow, noiseScale);
        var policies = new Dictionary<string, DatasetPolicy>(StringComparer.Ordinal);
        foreach (var (name, own) in raw)
        {
            // A file already reported is not merged and checked again: one mistake, one message.
            if (broken.Contains(name) || broken.Contains(DefaultName)) continue;
            // Gates and shadow-model values need no second check after merging: each is checked on its own,
            // in its own file above, and a file with a problem is not merged.
            var merged = name == DefaultName ? own : own.Over(defaults);
            var (policy, missing) = merged.Build(name);
            foreach (var key in missing)
                problems.Add(new(own.File, 1, 1, $"'{key}' is required (set it in default.yaml or here)"));
            if (policy is null) continue;
            foreach (var failure in validator.Validate(policy).Errors)
            {
                var origin = merged.Origin(failure.PropertyName);
                problems.Add(new(origin.File, origin.Line, origin.Column, failure.ErrorMessage));
            }
            policies[name] = policy;
        }

        if (problems.Count > 0) throw new DefinitionException(problems.OrderBy(p => p.File).ThenBy(p => p.Line).ToList());
        return new PolicyCatalog(policies);
    }

    /// <summary>The evaluation module's message starts with <c>file:line:column:</c>.</summary>
    private static DefinitionProblem EvaluationProblem(string message)
    {
        var m = Regex.Match(message, @"^(?<file>.*):(?<line>\d+):(?<column>\d+): (?<reason>.*)$", RegexOptions.Singleline);
        return m.Success
            ? new DefinitionProblem(m.Groups["file"].Value, long.Parse(m.Groups["line"].Value, CultureInfo.InvariantCulture),
                long.Parse(m.Groups["column"].Value, CultureInfo.InvariantCulture), m.Groups["reason"].Value)
            : new DefinitionProblem("policies", 0, 0, message);
    }

    private static RawPolicy? Read(string text, YamlReader r)
    {
        var root = YamlReader.ParseRoot(text, r);
        if (root is null) return null;
        r.OnlyKeys(root, "the policy", Keys);
        var p = new RawPolicy(r.File);

        if (r.Mapping(root, "budget", "the policy", required: false) is { } budget)
        {
            r.OnlyKeys(budget, "budget", "epsilon", "delta");
            p.Set("budget.epsilon", r.Number(budget, "epsilon", "budget", required: true), r.Get(budget, "epsilon"));
            p.Set("budget.delta", r.Number(budget, "delta", "budget", required: true), r.Get(budget, "delta"));
        }
        p.Set("maxEpsilonPerRelease", r.Number(root, "maxEpsilonPerRelease", "the policy", false), r.Get(root, "maxEpsilonPerRelease"));
        p.Set("minEpsilonPerRelease", r.Number(root, "minEpsilonPerRelease", "the policy", false), r.Get(root, "minEpsilonPerRelease"));
        p.Set("maxReleases", r.Integer(root, "maxReleases", "the policy", false), r.Get(root, "maxReleases"));
        p.Set("minSourceRows", r.Integer(root, "minSourceRows", "the policy", false), r.Get(root, "minSourceRows"));
        p.Set("maxRowsPerRelease", r.Integer(root, "maxRowsPerRelease", "the policy", false), r.Get(root, "maxRowsPerRelease"));
        p.Set("allowedGenerators", r.Strings(root, "allowedGenerators", "the policy", false)?.Select(x => x.Value).ToList(), r.Get(root, "allowedGenerators"));
        p.Set("workflow", r.String(root, "workflow", "the policy", false), r.Get(root, "workflow"));
        p.Set("optionalSteps", r.Strings(root, "optionalSteps", "the policy", false)?.Select(x => x.Value).ToList(), r.Get(root, "optionalSteps"));
        p.Set("releaseExpiryDays", r.Integer(root, "releaseExpiryDays", "the policy", false), r.Get(root, "releaseExpiryDays"));
        p.Set("evaluationSampleRows", r.Integer(root, "evaluationSampleRows", "the policy", false), r.Get(root, "evaluationSampleRows"));
        p.Set("closeOut", r.String(root, "closeOut", "the policy", false), r.Get(root, "closeOut"));
        if (r.Mapping(root, "privacyUnit", "the policy", required: false) is { } unit)
        {
            r.OnlyKeys(unit, "privacyUnit", "requirePersonKey", "maxRowsPerPerson");
            p.Set("privacyUnit.requirePersonKey", r.Boolean(unit, "requirePersonKey", "privacyUnit"), r.Get(unit, "requirePersonKey"));
            p.Set("privacyUnit.maxRowsPerPerson", r.Integer(unit, "maxRowsPerPerson", "privacyUnit", false), r.Get(unit, "maxRowsPerPerson"));
        }
        if (r.Mapping(root, "releaseChecks", "the policy", required: false) is { } checks)
        {
            r.OnlyKeys(checks, "releaseChecks", "epsilon", "copyThreshold");
            p.Set("releaseChecks.epsilon", r.Number(checks, "epsilon", "releaseChecks", required: true), r.Get(checks, "epsilon"));
            if (r.Get(checks, "copyThreshold") is { } copyThreshold)
                p.Set("releaseChecks.copyThreshold", r.Integer(checks, "copyThreshold", "releaseChecks", true), copyThreshold);
        }
        foreach (var section in new[] { "gates", "shadowModel" })
            if (r.Mapping(root, section, "the policy", required: false) is { } map)
                foreach (var (k, v) in map.Children)
                    if (k is YamlScalarNode { Value: { } key })
                        p.Set($"{section}.{key}", r.Number(map, key, section, required: true), v);
        return p;
    }

    /// <summary>A policy file's values with where each came from, before merging and validation.</summary>
    private sealed class RawPolicy(string file)
    {
        private readonly Dictionary<string, (object? Value, string File, long Line, long Column)> _values = new(StringComparer.Ordinal);

        public string File { get; } = file;

        public void Set(string key, object? value, YamlNode? node)
        {
            if (value is not null && node is not null) _values[key] = (value, File, node.Start.Line, node.Start.Column);
        }

        public RawPolicy Over(RawPolicy defaults)
        {
            var merged = new RawPolicy(File);
            foreach (var (k, v) in defaults._values) merged._values[k] = v;
            // A dataset that sets any gate or shadow-model value keeps the defaults' other keys of that section.
            foreach (var (k, v) in _values) merged._values[k] = v;
            return merged;
        }

        private Dictionary<string, double> Section(string prefix) => _values
            .Where(kv => kv.Key.StartsWith(prefix + ".", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[(prefix.Length + 1)..], kv => (double)kv.Value.Value!);

        public (string File, long Line, long Column) Origin(string propertyName)
        {
            var key = propertyName.Split('[')[0];
            if (propertyName.StartsWith("allowedGenerators", StringComparison.Ordinal) || propertyName.StartsWith("optionalSteps", StringComparison.Ordinal))
                key = _values.Keys.FirstOrDefault(k => k.StartsWith(key, StringComparison.Ordinal)) ?? key;
            return _values.TryGetValue(key, out var v) ? (v.File, v.Line, v.Column) : (File, 1, 1);
        }

        public (DatasetPolicy? Policy, IReadOnlyList<string> Missing) Build(string name)
        {
            var missing = new List<string>();
            T Optional<T>(string key, T fallback) => _values.TryGetValue(key, out var v) ? (T)v.Value! : fallback;
            T Get<T>(string key, T fallback)
            {
                if (_values.TryGetValue(key, out var v)) return (T)v.Value!;
                missing.Add(key);
                return fallback;
            }

            var policy = new DatasetPolicy(
                name,
                Get("budget.epsilon", 0d),
                Get("budget.delta", 0d),
                Get("maxEpsilonPerRelease", 0d),
                Get("minEpsilonPerRelease", 0d),
                Get("maxReleases", 0),
                Get("maxRowsPerRelease", 0),
                Get("minSourceRows", 0),
                Get<List<string>>("allowedGenerators", []),
                Get("workflow", ""),
                _values.TryGetValue("optionalSteps", out var steps) ? (List<string>)steps.Value! : [],
                Get("releaseExpiryDays", 0),
                Section("gates"),
                Section("shadowModel"),
                _values.Values.Select(v => v.File).Distinct().ToList())
            {
                PrivacyUnit = new PrivacyUnitPolicy(Optional("privacyUnit.requirePersonKey", PrivacyUnitPolicy.Default.RequirePersonKey),
                    Optional("privacyUnit.maxRowsPerPerson", PrivacyUnitPolicy.Default.MaxRowsPerPerson)),
                ReleaseChecksEpsilon = Optional("releaseChecks.epsilon", DatasetPolicy.DefaultReleaseChecksEpsilon),
                ReleaseChecksCopyThreshold = Optional<int?>("releaseChecks.copyThreshold", null),
                EvaluationSampleRows = Optional("evaluationSampleRows", DatasetPolicy.DefaultEvaluationSampleRows),
                CloseOut = Optional("closeOut", CloseOutRules.Optional),
            };
            return (missing.Count == 0 ? policy : null, missing);
        }
    }
}

/// <summary>The validated policies: the default and one per dataset that has its own file.</summary>
public sealed class PolicyCatalog(IReadOnlyDictionary<string, DatasetPolicy> policies)
{
    public IReadOnlyDictionary<string, DatasetPolicy> All { get; } = policies;

    public DatasetPolicy Default => All[PolicyLoader.DefaultName];

    /// <summary>The dataset's own policy if <c>policies/NAME.yaml</c> exists, else the default.</summary>
    public DatasetPolicy For(string datasetName) => All.TryGetValue(datasetName, out var p) ? p : Default;
}
