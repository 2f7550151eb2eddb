using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReleaseGateway.EventStore.Blobs;
using ReleaseGateway.EventStore.Verification;

namespace ReleaseGateway.EventStore;

public static class EventStoreServiceCollectionExtensions
{
    /// <summary>Reads the shared configuration keys (see <see cref="EventStoreSettings"/>).</summary>
    public static EventStoreSettings ReadEventStoreSettings(this IConfiguration configuration) =>
        new(configuration["ReleaseGateway:DataDirectory"] is { Length: > 0 } dir ? dir : "./data",
            configuration.GetConnectionString("Postgres"));

    /// <summary>
    /// The gateway's signing key (audit checkpoints, release manifests): <c>ReleaseGateway:AuditSigningKeyFile</c>,
    /// default <c>DATA/keys/audit-signing-key.pem</c>.
    /// </summary>
    public static string AuditSigningKeyFile(this IConfiguration configuration) =>
        configuration["ReleaseGateway:AuditSigningKeyFile"] is { Length: > 0 } path
            ? path
            : Path.Combine(configuration.ReadEventStoreSettings().DataDirectory, "keys", "audit-signing-key.pem");

    /// <summary>
    /// Loads (or creates) the gateway's signing key: the file <see cref="AuditSigningKeyFile"/> names, or, on shared
    /// storage without an explicit file (ADR 0041), the sealed key every node shares.
    /// </summary>
    public static AuditSigningKey LoadAuditSigningKey(this IConfiguration configuration, GatewayStorage storage)
    {
        if (storage.Shared && configuration["ReleaseGateway:AuditSigningKeyFile"] is not { Length: > 0 })
        {
            const string name = "keys/audit-signing-key.pem";
            var pem = storage.Keys.GetOrCreate(name, () => Encoding.UTF8.GetBytes(AuditSigningKey.NewPrivateKeyPem()));
            return AuditSigningKey.LoadPem(Encoding.UTF8.GetString(pem), name);
        }
        var path = configuration.AuditSigningKeyFile();
        try
        {
            return AuditSigningKey.LoadOrCreate(path);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it between the check and the create: use theirs.
            return AuditSigningKey.LoadPem(File.ReadAllText(path), path);
        }
    }

    /// <summary>
    /// Public keys (PEM files) of the audit witnesses, <c>ReleaseGateway:Audit:WitnessKeys</c> (ADR 0030): a checkpoint
    /// is trusted only with a valid co-signature of each. Empty by default.
    /// </summary>
    public static IReadOnlyList<string> AuditWitnessKeyFiles(this IConfiguration configuration) =>
        [.. configuration.GetSection("ReleaseGateway:Audit:WitnessKeys").GetChildren().Select(c => c.Value).OfType<string>().Where(v => v.Length > 0)];

    /// <summary>Registers the event store (SQLite or PostgreSQL by configuration) as a singleton.</summary>
    public static IServiceCollection AddEventStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EventStoreOptions>();
        services.AddSingleton(configuration.ReadEventStoreSettings());
        services.AddSingleton(_ => GatewayStorage.FromConfiguration(configuration));
        services.AddSingleton<IEventStore>(sp => EventStoreFactory.Create(
            sp.GetRequiredService<EventStoreSettings>(),
            sp.GetRequiredService<IOptions<EventStoreOptions>>().Value,
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
        return services;
    }

    /// <summary>Lets a module register its event types and inline projections.</summary>
    public static IServiceCollection ConfigureEventStore(this IServiceCollection services, Action<EventStoreOptions> configure) =>
        services.Configure(configure);
}
