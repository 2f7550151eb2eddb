using System.Globalization;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ReleaseGateway.Evaluation.Gates;

/// <summary>A policy file that cannot be used; the message names file, line, column and key.</summary>
public sealed class PolicyException(string message) : Exception(message);

/// <summary>
/// Reads the evaluator's part of a dataset policy YAML (<c>policies/*.yaml</c>): the <c>gates:</c> and
/// <c>shadowModel:</c> sections; other sections belong to the workflow and are ignored. A missing section
/// means the documented defaults; an unknown key, a non-numeric value or a value out of range is an error,
/// because a misspelt gate that silently fell back to its default would fail open.
/// </summary>
public static class PolicyLoader
{
    /// <summary>Loads the file at <paramref name="path"/>.</summary>
    /// <exception cref="PolicyException">The file cannot be read or is invalid.</exception>
    public static EvaluationPolicy Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PolicyException($"{path}: cannot read policy: {e.Message}");
        }

        return Parse(text, path);
    }

    /// <summary>
    /// The first problem in the <c>gates:</c> and <c>shadowModel:</c> sections of policy YAML, as
    /// <c>source:line:column: key: reason</c>, or null when they are valid. The workflow's policy loader calls this
    /// at start-up through a delegate, so it checks the sections it keeps as data without referencing this module.
    /// </summary>
    public static string? Check(string yaml, string source)
    {
        try
        {
            Parse(yaml, source);
            return null;
        }
        catch (PolicyException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// The evaluation policy from sections already read as data (policy key → value), such as a dataset policy's
    /// merged <c>gates:</c> and <c>shadowModel:</c>; an empty section means its defaults.
    /// </summary>
    /// <exception cref="PolicyException">A key is unknown or a value is out of range.</exception>
    public static EvaluationPolicy FromSections(IReadOnlyDictionary<string, double> gates, IReadOnlyDictionary<string, double> shadowModel)
    {
        ArgumentNullException.ThrowIfNull(gates);
        ArgumentNullException.ThrowIfNull(shadowModel);
        // Written back as YAML so that one parser checks keys and ranges, whichever way the values arrive.
        var yaml = new StringBuilder();
        foreach (var (section, values) in new[] { ("gates", gates), ("shadowModel", shadowModel) })
        {
            if (values.Count == 0)
            {
                continue;
            }

            yaml.Append(section).Append(":\n");
            foreach (var (key, value) in values)
            {
                yaml.Append("  ").Append(key).Append(": ").Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        return Parse(yaml.ToString());
    }

    /// <summary>Parses policy YAML; <paramref name="source"/> prefixes error messages.</summary>
    /// <exception cref="PolicyException">The YAML is malformed or a value is invalid.</exception>
    public static EvaluationPolicy Parse(string yaml, string source = "policy")
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new PolicyException($"{source}:{e.Start.Line}:{e.Start.Column}: malformed YAML: {e.Message}");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return new EvaluationPolicy(new GateThresholds(), new ShadowModelSettings());
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw Error(source, stream.Documents[0].RootNode, "(root)", "expected a mapping of sections");
        }

        var thresholds = new GateThresholds();
        if (Section(root, "gates", source) is { } gates)
        {
            foreach (var (keyNode, valueNode) in gates.Children)
            {
                var key = ((YamlScalarNode)keyNode).Value ?? string.Empty;
                if (GateCatalog.Find(key) is not { InPolicy: true } gate)
                {
                    throw Error(source, keyNode, $"gates.{key}", $"unknown gate; expected one of {string.Join(", ", GateCatalog.PolicyGates.Select(g => g.Key))}");
                }

                var value = Number(valueNode, source, $"gates.{key}");
                if (gate.RangeProblem(value) is { } problem)
                {
                    throw Error(source, valueNode, $"gates.{key}", problem);
                }

                thresholds = thresholds.With(key, value);
            }
        }

        var shadow = new ShadowModelSettings();
        if (Section(root, "shadowModel", source) is { } shadowNode)
        {
            var targets = shadow.ShadowTargets;
            var runs = shadow.ShadowRuns;
            foreach (var (keyNode, valueNode) in shadowNode.Children)
            {
                var key = ((YamlScalarNode)keyNode).Value ?? string.Empty;
                var value = Number(valueNode, source, $"shadowModel.{key}");
                if (value != Math.Floor(value) || value > 10_000)
                {
                    throw Error(source, valueNode, $"shadowModel.{key}", $"{value} must be a whole number ≤ 10000");
                }

                switch (key)
                {
                    case "shadowTargets" when value >= 0:
                        targets = (int)value;
                        break;
                    case "shadowRuns" when value >= 2:
                        runs = (int)value;
                        break;
                    case "shadowTargets" or "shadowRuns":
                        throw Error(source, valueNode, $"shadowModel.{key}", key == "shadowTargets" ? "must be ≥ 0 (0 disables the attack)" : "must be ≥ 2");
                    default:
                        throw Error(source, keyNode, $"shadowModel.{key}", "unknown key; expected shadowTargets or shadowRuns");
                }
            }

            shadow = new ShadowModelSettings(targets, runs);
        }

        return new EvaluationPolicy(thresholds, shadow);
    }

    private static YamlMappingNode? Section(YamlMappingNode root, string name, string source)
    {
        if (!root.Children.TryGetValue(new YamlScalarNode(name), out var node))
        {
            return null;
        }

        return node switch
        {
            YamlMappingNode mapping => mapping,
            YamlScalarNode { Value: null or "" or "~" or "null" } => null,
            _ => throw Error(source, node, name, "expected a mapping of key: value"),
        };
    }

    private static double Number(YamlNode node, string source, string key)
    {
        if (node is YamlScalarNode { Value: { } text } &&
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }

        var shown = node is YamlScalarNode scalar ? $"'{scalar.Value}'" : node.NodeType.ToString().ToLowerInvariant();
        throw Error(source, node, key, $"expected a number, got {shown}");
    }

    private static PolicyException Error(string source, YamlNode node, string key, string message) =>
        new($"{source}:{node.Start.Line}:{node.Start.Column}: {key}: {message}");
}
