using ReleaseGateway.Requests.Definitions;

namespace ReleaseGateway.Requests.Workflows;

/// <summary>Every definition under <c>workflows/</c>, loaded and checked once at start-up.</summary>
public sealed class WorkflowCatalog(IReadOnlyDictionary<string, WorkflowDefinition> definitions)
{
    public IReadOnlyDictionary<string, WorkflowDefinition> All { get; } = definitions;

    public IReadOnlySet<string> Names => All.Keys.ToHashSet();

    public WorkflowDefinition Get(string name) =>
        All.TryGetValue(name, out var d) ? d : throw new KeyNotFoundException($"No workflow named '{name}' under workflows/.");

    /// <summary>Loads every <c>*.yaml</c>; throws one <see cref="DefinitionException"/> listing the problems of all files.</summary>
    public static WorkflowCatalog LoadDirectory(string directory)
    {
        if (!Directory.Exists(directory))
            throw new DefinitionException([new(directory, 0, 0, "workflow folder not found")]);
        var problems = new List<DefinitionProblem>();
        var definitions = new Dictionary<string, WorkflowDefinition>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(directory, "*.yaml").Order(StringComparer.Ordinal))
            try
            {
                var d = WorkflowDefinitionLoader.Load(file);
                definitions[d.Name] = d;
            }
            catch (DefinitionException e)
            {
                problems.AddRange(e.Problems);
            }
        if (definitions.Count == 0 && problems.Count == 0)
            problems.Add(new(directory, 0, 0, "no workflow definitions (*.yaml) found"));
        if (problems.Count > 0) throw new DefinitionException(problems);
        return new WorkflowCatalog(definitions);
    }
}
