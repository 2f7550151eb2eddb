using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ReleaseGateway.EventStore;
using ReleaseGateway.EventStore.Blobs;
using ReleaseGateway.Identity;
using ReleaseGateway.Identity.Keys;

namespace ReleaseGateway.Cli;

/// <summary>
/// <c>rgw bootstrap</c>: the deployment's migration step (a compose one-shot service, a Kubernetes Job). Creates what
/// the nodes would otherwise race to create at their first start: the identity schema, the event store's tables, the
/// blob tables and the shared keys (audit signing key, token key ring). Idempotent: a second run changes nothing.
/// </summary>
internal static class BootstrapCommand
{
    public static Command Create()
    {
        var command = new Command("bootstrap", "Create the database schema and the gateway's keys before the first start (idempotent)");
        command.SetAction((_, ct) => IdentityCli.RunAsync(async services =>
        {
            var configuration = services.GetRequiredService<IConfiguration>();
            var settings = configuration.ReadEventStoreSettings();
            var store = services.GetRequiredService<IEventStore>();
            var head = await store.ReadHeadAsync(ct);
            var storage = services.GetRequiredService<GatewayStorage>();
            using var signing = configuration.LoadAuditSigningKey(storage);
            var identity = IdentitySettings.Read(configuration, environment: null);
            var ring = storage.Shared
                ? KeyRing.LoadOrCreate(storage.Keys, "keys", identity.KeyRotationPeriod, DateTimeOffset.UtcNow)
                : KeyRing.LoadOrCreate(identity.KeysDirectory, identity.KeyRotationPeriod, DateTimeOffset.UtcNow);
            Console.WriteLine($"Database: {(settings.UsesPostgres ? "PostgreSQL" : "SQLite " + settings.SqlitePath)}; audit log at position {head.Position}");
            Console.WriteLine($"Storage: {(storage.Shared ? "PostgreSQL (shared by every node, keys sealed)" : "data folder " + Path.GetFullPath(settings.DataDirectory))}");
            Console.WriteLine($"Audit signing key {signing.KeyId}; token signing key {ring.Signing[0].FileName}");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }
}
