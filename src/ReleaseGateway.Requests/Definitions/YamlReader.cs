using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ReleaseGateway.Requests.Definitions;

/// <summary>
/// Reads a YAML file through the representation model so every value keeps its line and column, and
/// collects problems instead of stopping at the first one. Used by the workflow and policy loaders.
/// </summary>
internal sealed class YamlReader(string file)
{
    private readonly List<DefinitionProblem> _problems = [];

    public string File { get; } = file;

    public IReadOnlyList<DefinitionProblem> Problems => _problems;

    public static YamlMappingNode? ParseRoot(string text, YamlReader reader)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            reader._problems.Add(new(reader.File, e.Start.Line, e.Start.Column, "not valid YAML: " + (e.InnerException?.Message ?? e.Message)));
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this, without a position, on some unterminated flow collections.
            reader._problems.Add(new(reader.File, 0, 0, "not valid YAML: an unterminated [ or { somewhere in the file"));
            return null;
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            reader._problems.Add(new(reader.File, 1, 1, "expected a mapping at the top of the file"));
            return null;
        }
        return root;
    }

    public void Problem(YamlNode? at, string reason) =>
        _problems.Add(new(File, at?.Start.Line ?? 1, at?.Start.Column ?? 1, reason));

    public void Problem(long line, long column, string reason) => _problems.Add(new(File, line, column, reason));

    public YamlNode? Get(YamlMappingNode map, string key)
    {
        foreach (var (k, v) in map.Children)
            if (k is YamlScalarNode s && s.Value == key) return v;
        return null;
    }

    /// <summary>Reports keys that are not in <paramref name="allowed"/>: a misspelt key must not be silently ignored.</summary>
    public void OnlyKeys(YamlMappingNode map, string what, params string[] allowed)
    {
        foreach (var k in map.Children.Keys)
            if (k is not YamlScalarNode { Value: { } name } || !allowed.Contains(name))
                Problem(k, $"unknown key '{(k as YamlScalarNode)?.Value}' in {what} (allowed: {string.Join(", ", allowed)})");
    }

    public string? String(YamlMappingNode map, string key, string what, bool required)
    {
        var node = Get(map, key);
        if (node is null)
        {
            if (required) Problem(map, $"{what} is missing '{key}'");
            return null;
        }
        if (node is YamlScalarNode { Value: { Length: > 0 } value }) return value;
        Problem(node, $"'{key}' of {what} must be a non-empty text");
        return null;
    }

    public double? Number(YamlMappingNode map, string key, string what, bool required)
    {
        var node = Get(map, key);
        if (node is null)
        {
            if (required) Problem(map, $"{what} is missing '{key}'");
            return null;
        }
        if (node is YamlScalarNode { Value: { } text } &&
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
            return value;
        Problem(node, $"'{key}' of {what} must be a number, not '{(node as YamlScalarNode)?.Value}'");
        return null;
    }

    public int? Integer(YamlMappingNode map, string key, string what, bool required)
    {
        var node = Get(map, key);
        if (node is null)
        {
            if (required) Problem(map, $"{what} is missing '{key}'");
            return null;
        }
        if (node is YamlScalarNode { Value: { } text } && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            return value;
        Problem(node, $"'{key}' of {what} must be a whole number, not '{(node as YamlScalarNode)?.Value}'");
        return null;
    }

    public bool? Boolean(YamlMappingNode map, string key, string what)
    {
        var node = Get(map, key);
        if (node is null) return null;
        if (node is YamlScalarNode { Value: "true" or "false" } s) return s.Value == "true";
        Problem(node, $"'{key}' of {what} must be true or false");
        return null;
    }

    /// <summary>A list of texts; a single scalar counts as a list of one.</summary>
    public List<(string Value, YamlNode Node)>? Strings(YamlMappingNode map, string key, string what, bool required)
    {
        var node = Get(map, key);
        switch (node)
        {
            case null:
                if (required) Problem(map, $"{what} is missing '{key}'");
                return null;
            case YamlScalarNode { Value: { Length: > 0 } single }:
                return [(single, node)];
            case YamlSequenceNode seq:
                var list = new List<(string, YamlNode)>();
                foreach (var item in seq.Children)
                    if (item is YamlScalarNode { Value: { Length: > 0 } v }) list.Add((v, item));
                    else Problem(item, $"'{key}' of {what} must list texts");
                return list;
            default:
                Problem(node, $"'{key}' of {what} must be a text or a list of texts");
                return null;
        }
    }

    public YamlMappingNode? Mapping(YamlMappingNode map, string key, string what, bool required)
    {
        var node = Get(map, key);
        switch (node)
        {
            case null:
                if (required) Problem(map, $"{what} is missing '{key}'");
                return null;
            case YamlMappingNode m:
                return m;
            case YamlScalarNode { Value: null or "" or "~" }:
                return new YamlMappingNode();
            default:
                Problem(node, $"'{key}' of {what} must be a mapping");
                return null;
        }
    }
}
