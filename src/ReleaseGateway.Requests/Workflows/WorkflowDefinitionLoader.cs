using ReleaseGateway.Requests.Definitions;
using YamlDotNet.RepresentationModel;

namespace ReleaseGateway.Requests.Workflows;

/// <summary>
/// Reads <c>workflows/*.yaml</c> into <see cref="WorkflowDefinition"/>s and checks them, reporting every
/// problem with its file, line and reason. A definition that fails here must stop start-up.
/// </summary>
public static class WorkflowDefinitionLoader
{
    public static WorkflowDefinition Load(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>Parses and validates; throws <see cref="DefinitionException"/> listing every problem.</summary>
    public static WorkflowDefinition Parse(string yaml, string file)
    {
        var reader = new YamlReader(file);
        var definition = Read(yaml, reader);
        var problems = reader.Problems.ToList();
        if (definition is not null) problems.AddRange(WorkflowDefinitionValidator.Validate(definition));
        if (problems.Count > 0 || definition is null)
            throw new DefinitionException(problems.OrderBy(p => p.Line).ThenBy(p => p.Column).ToList());
        return definition;
    }

    private static WorkflowDefinition? Read(string yaml, YamlReader r)
    {
        var root = YamlReader.ParseRoot(yaml, r);
        if (root is null) return null;
        r.OnlyKeys(root, "the workflow", "name", "description", "initial", "committee", "states", "transitions");

        var name = r.String(root, "name", "the workflow", required: true) ?? "";
        var expectedName = Path.GetFileNameWithoutExtension(r.File);
        if (name.Length > 0 && name != expectedName)
            r.Problem(r.Get(root, "name"), $"name '{name}' must match the file name '{expectedName}'");
        var description = r.String(root, "description", "the workflow", required: false) ?? "";
        var initial = r.String(root, "initial", "the workflow", required: true) ?? "";

        var seats = 0;
        if (r.Mapping(root, "committee", "the workflow", required: true) is { } committee)
        {
            r.OnlyKeys(committee, "committee", "seats");
            seats = r.Integer(committee, "seats", "committee", required: true) ?? 0;
            if (seats < 1 && r.Get(committee, "seats") is { } s) r.Problem(s, "committee seats must be at least 1");
        }

        var states = new List<WorkflowState>();
        if (r.Mapping(root, "states", "the workflow", required: true) is { } stateMap)
            foreach (var (key, value) in stateMap.Children)
            {
                if (key is not YamlScalarNode { Value: { Length: > 0 } stateName })
                {
                    r.Problem(key, "a state name must be a text");
                    continue;
                }
                if (states.Any(x => x.Name == stateName)) r.Problem(key, $"state '{stateName}' is declared twice");
                states.Add(ReadState(stateName, key, value, r));
            }

        var transitions = new List<WorkflowTransition>();
        switch (r.Get(root, "transitions"))
        {
            case null:
                r.Problem(root, "the workflow is missing 'transitions'");
                break;
            case YamlSequenceNode seq:
                foreach (var item in seq.Children)
                    if (item is YamlMappingNode t) transitions.Add(ReadTransition(t, r));
                    else r.Problem(item, "each transition must be a mapping with trigger, from, to and roles");
                break;
            case var other:
                r.Problem(other, "'transitions' must be a list");
                break;
        }

        if (initial.Length > 0 && states.Count > 0 && states.All(s => s.Name != initial))
            r.Problem(r.Get(root, "initial"), $"initial state '{initial}' is not declared under 'states'");
        return new WorkflowDefinition(name, description, r.File, initial, seats, states, transitions);
    }

    private static WorkflowState ReadState(string name, YamlNode key, YamlNode value, YamlReader r)
    {
        var what = $"state '{name}'";
        if (value is YamlScalarNode { Value: null or "" or "~" })
            return new WorkflowState(name, "", false, null, key.Start.Line);
        if (value is not YamlMappingNode map)
        {
            r.Problem(value, $"{what} must be a mapping (description, terminal, quorum, optional, skipTo) or empty");
            return new WorkflowState(name, "", false, null, key.Start.Line);
        }
        r.OnlyKeys(map, what, "description", "terminal", "quorum", "optional", "skipTo");
        var description = r.String(map, "description", what, required: false) ?? "";
        var terminal = r.Boolean(map, "terminal", what) ?? false;
        var optional = r.Boolean(map, "optional", what) ?? false;
        var skipTo = r.String(map, "skipTo", what, required: false);
        QuorumRule? quorum = null;
        switch (r.Get(map, "quorum"))
        {
            case null:
                break;
            case YamlScalarNode { Value: "majority" }:
                quorum = new QuorumRule(0, 0, Majority: true);
                break;
            case YamlMappingNode q:
                r.OnlyKeys(q, $"quorum of {what}", "approvals", "rejections");
                var approvals = r.Integer(q, "approvals", $"quorum of {what}", required: true) ?? 0;
                var rejections = r.Integer(q, "rejections", $"quorum of {what}", required: false) ?? 1;
                quorum = new QuorumRule(approvals, rejections, Majority: false);
                break;
            case var other:
                r.Problem(other, $"quorum of {what} must be 'majority' or a mapping with approvals and rejections");
                break;
        }
        return new WorkflowState(name, description, terminal, quorum, key.Start.Line, optional, skipTo);
    }

    private static WorkflowTransition ReadTransition(YamlMappingNode map, YamlReader r)
    {
        var trigger = r.String(map, "trigger", "a transition", required: true) ?? "";
        var what = $"transition '{trigger}' (line {map.Start.Line})";
        r.OnlyKeys(map, what, "trigger", "from", "to", "roles", "guards");
        var from = r.Strings(map, "from", what, required: true)?.Select(x => x.Value).ToList() ?? [];
        var to = r.String(map, "to", what, required: false);
        var roles = r.Strings(map, "roles", what, required: false)?.Select(x => x.Value).ToList() ?? [];
        var guards = r.Strings(map, "guards", what, required: false)?.Select(x => x.Value).ToList() ?? [];
        return new WorkflowTransition(trigger, from, to, roles, guards, map.Start.Line);
    }
}
