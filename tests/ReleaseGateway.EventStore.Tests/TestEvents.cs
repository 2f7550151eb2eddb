using System.Text.Json.Nodes;

namespace ReleaseGateway.EventStore.Tests;

public sealed record ThingCreated(Guid ThingId, string Name, DateTimeOffset CreatedAt);
public sealed record ThingRenamed(Guid ThingId, string NewName);
public sealed record ThingArchived(Guid ThingId);

/// <summary>Schema version 2 of a renamed event: v1 had "Title", v2 calls it "Name".</summary>
public sealed record ThingLabelled(Guid ThingId, string Name);

public sealed record ThingSummary(Guid Id, string Name, int Renames);

public sealed class ThingSummaryProjection : SingleStreamProjection<ThingSummary>
{
    public override ThingSummary? Apply(ThingSummary? current, StoredEvent @event) => @event.Data switch
    {
        ThingCreated c => new ThingSummary(c.ThingId, c.Name, 0),
        ThingRenamed r when current is not null => current with { Name = r.NewName, Renames = current.Renames + 1 },
        ThingArchived => null,
        _ => current,
    };
}

internal static class TestRegistry
{
    public static EventStoreOptions Options(bool withProjection = true)
    {
        var options = new EventStoreOptions();
        options.Events.Register<ThingCreated>().Register<ThingRenamed>().Register<ThingArchived>()
            .Register<ThingLabelled>(schemaVersion: 2)
            .RegisterUpcaster(nameof(ThingLabelled), 1, v1 =>
            {
                var v2 = new JsonObject { ["thingId"] = v1["thingId"]?.DeepClone(), ["name"] = v1["title"]?.DeepClone() };
                return v2;
            });
        if (withProjection) options.Projections.Add(new ThingSummaryProjection());
        return options;
    }
}
