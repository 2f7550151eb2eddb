using System.Text.Json;
using System.Text.Json.Nodes;

namespace ReleaseGateway.EventStore;

/// <summary>
/// Maps CLR event types to stable names and schema versions, and upcasts old bodies to the current
/// shape when read. Stored bodies are never rewritten (that would break the chain); upcasting happens
/// on every read. An unregistered name stays readable as raw JSON (<see cref="StoredEvent.Data"/> null).
/// </summary>
public sealed class EventTypeRegistry
{
    private readonly Dictionary<Type, (string Name, int Version)> _byType = [];
    private readonly Dictionary<string, (Type Type, int Version)> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Name, int FromVersion), Func<JsonObject, JsonObject>> _upcasters = [];

    /// <summary>Options every module shares so bodies look the same whoever wrote them.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = false,
    };

    /// <summary>Registers <typeparamref name="TEvent"/> under <paramref name="name"/> (default: the type's name) at <paramref name="schemaVersion"/>.</summary>
    public EventTypeRegistry Register<TEvent>(string? name = null, int schemaVersion = 1) => Register(typeof(TEvent), name, schemaVersion);

    public EventTypeRegistry Register(Type type, string? name = null, int schemaVersion = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(schemaVersion, 1);
        name ??= type.Name;
        if (_byName.TryGetValue(name, out var existing) && existing.Type != type)
            throw new InvalidOperationException($"Event type name '{name}' is already registered for {existing.Type.FullName}.");
        _byType[type] = (name, schemaVersion);
        _byName[name] = (type, schemaVersion);
        return this;
    }

    /// <summary>Registers a function that turns a body of <paramref name="name"/> at <paramref name="fromVersion"/> into <c>fromVersion + 1</c>.</summary>
    public EventTypeRegistry RegisterUpcaster(string name, int fromVersion, Func<JsonObject, JsonObject> upcast)
    {
        _upcasters[(name, fromVersion)] = upcast;
        return this;
    }

    /// <summary>Every registered type name (what the audit trail can be filtered by).</summary>
    public IReadOnlyCollection<string> Names => _byName.Keys;

    internal (string Name, int Version) Describe(object @event) =>
        _byType.TryGetValue(@event.GetType(), out var d)
            ? d
            : throw new InvalidOperationException($"Event type {@event.GetType().FullName} is not registered with the event store.");

    internal static string Serialize(object @event) => JsonSerializer.Serialize(@event, @event.GetType(), JsonOptions);

    /// <summary>Deserializes a stored body into its current CLR type, upcasting step by step; null when the name is unknown.</summary>
    public object? Deserialize(string name, int schemaVersion, string body)
    {
        if (!_byName.TryGetValue(name, out var current)) return null;
        if (schemaVersion == current.Version) return JsonSerializer.Deserialize(body, current.Type, JsonOptions);
        if (schemaVersion > current.Version)
            throw new InvalidOperationException($"Event '{name}' has schema version {schemaVersion}, newer than this build knows ({current.Version}).");
        var node = JsonNode.Parse(body)?.AsObject() ?? throw new InvalidOperationException($"Event '{name}' body is not a JSON object.");
        for (var v = schemaVersion; v < current.Version; v++)
        {
            if (!_upcasters.TryGetValue((name, v), out var up))
                throw new InvalidOperationException($"No upcaster for event '{name}' from schema version {v} to {v + 1}.");
            node = up(node);
        }
        return node.Deserialize(current.Type, JsonOptions);
    }
}
