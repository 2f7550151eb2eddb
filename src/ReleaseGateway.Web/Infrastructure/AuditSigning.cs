using Microsoft.Extensions.Configuration;
using ReleaseGateway.EventStore;
using ReleaseGateway.EventStore.Verification;

namespace ReleaseGateway.Web.Infrastructure;

/// <summary>The gateway's audit signing key (<c>ReleaseGateway:AuditSigningKeyFile</c>), the one <c>rgw audit</c> uses, loaded once.</summary>
public sealed class AuditSigning(IConfiguration configuration) : IDisposable
{
    private readonly Lazy<AuditSigningKey> _key = new(() =>
    {
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
    });

    private readonly Lazy<IReadOnlyList<AuditSigningKey>> _witnesses = new(() =>
        [.. configuration.AuditWitnessKeyFiles().Select(path => AuditSigningKey.LoadPem(File.ReadAllText(path), path))]);

    public AuditSigningKey Key => _key.Value;

    /// <summary>The witnesses' public keys (<c>ReleaseGateway:Audit:WitnessKeys</c>, ADR 0030) a checkpoint must be co-signed with.</summary>
    public IReadOnlyList<AuditSigningKey> WitnessKeys => _witnesses.Value;

    public void Dispose()
    {
        if (_key.IsValueCreated) _key.Value.Dispose();
        if (_witnesses.IsValueCreated)
            foreach (var key in _witnesses.Value) key.Dispose();
    }
}
