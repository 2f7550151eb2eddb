using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using ReleaseGateway.Testing;

namespace ReleaseGateway.EventStore.Tests;

/// <summary>One backend under test: a fresh, empty database per call, plus a privileged raw-SQL path for tamper tests.</summary>
public interface IBackend
{
    Task<EventStoreSettings> CreateEmptyAsync(string name);
    DbConnection OpenRaw(EventStoreSettings settings);
    /// <summary>SQL that removes the append-only protection, as someone with database-owner rights could.</summary>
    string DropProtectionSql { get; }
}

public sealed class SqliteBackend : IBackend
{
    public Task<EventStoreSettings> CreateEmptyAsync(string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), "rgw-es-tests", $"{name}-{Guid.NewGuid():N}");
        return Task.FromResult(new EventStoreSettings(dir, null));
    }

    public DbConnection OpenRaw(EventStoreSettings settings)
    {
        var c = new SqliteConnection($"Data Source={settings.SqlitePath};Pooling=False");
        c.Open();
        return c;
    }

    public string DropProtectionSql => "DROP TRIGGER rg_events_no_update; DROP TRIGGER rg_events_no_delete;";
}

public sealed class PostgresBackend : IBackend
{
    public async Task<EventStoreSettings> CreateEmptyAsync(string name) =>
        new(Path.GetTempPath(), await PostgresCluster.Shared.CreateDatabaseAsync($"es_{name}_{Guid.NewGuid():N}"[..50]));

    public DbConnection OpenRaw(EventStoreSettings settings)
    {
        var c = new NpgsqlConnection(settings.PostgresConnectionString);
        c.Open();
        return c;
    }

    public string DropProtectionSql => "DROP TRIGGER rg_events_no_update_delete ON rg_events; DROP TRIGGER rg_events_no_truncate ON rg_events;";
}
