using ReleaseGateway.EventStore.Storage;

namespace ReleaseGateway.EventStore;

/// <summary>Builds the store for the configured backend.</summary>
public static class EventStoreFactory
{
    public static IEventStore Create(EventStoreSettings settings, EventStoreOptions options, TimeProvider time)
    {
        if (settings.UsesPostgres) return new RelationalEventStore(new PostgresDialect(settings.PostgresConnectionString!), options, time);
        Directory.CreateDirectory(settings.DataDirectory);
        return new RelationalEventStore(new SqliteDialect(settings.SqlitePath), options, time);
    }
}
