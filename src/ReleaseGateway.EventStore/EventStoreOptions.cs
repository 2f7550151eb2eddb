namespace ReleaseGateway.EventStore;

/// <summary>What the modules contribute to the store: their event types, their inline projections and the indexes of those documents.</summary>
public sealed class EventStoreOptions
{
    /// <summary>The modules' event types, and the audit trail's own (<see cref="Audit.AuditTrail"/>), which every store can write.</summary>
    public EventTypeRegistry Events { get; } = Audit.AuditTrail.EventTypes.Aggregate(new EventTypeRegistry(), (r, t) => r.Register(t));

    public List<IInlineProjection> Projections { get; } = [];

    public DocumentIndexes Indexes { get; } = new();
}

/// <summary>
/// Where the log lives. PostgreSQL when <see cref="PostgresConnectionString"/> is set (configuration key
/// <c>ConnectionStrings:Postgres</c>), otherwise the embedded SQLite file <c>events.db</c> under
/// <see cref="DataDirectory"/> (configuration key <c>ReleaseGateway:DataDirectory</c>, default <c>./data</c>).
/// </summary>
public sealed record EventStoreSettings(string DataDirectory, string? PostgresConnectionString)
{
    public bool UsesPostgres => !string.IsNullOrWhiteSpace(PostgresConnectionString);

    public string SqlitePath => Path.Combine(DataDirectory, "events.db");
}
