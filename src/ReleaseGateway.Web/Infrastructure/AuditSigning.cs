using Microsoft.Extensions.Configuration;
using ReleaseGateway.EventStore;
using ReleaseGateway.EventStore.Blobs;
using ReleaseGateway.EventStore.Verification;

namespace ReleaseGateway.Web.Infrastructure;

/// <summary>The gateway's audit signing key (<c>ReleaseGateway:AuditSigningKeyFile</c>, or the shared key on shared storage), the one <c>rgw audit</c> uses, loaded once.</summary>
public sealed class AuditSigning(IConfiguration configuration, GatewayStorage storage) : IDisposable
{
    private readonly Lazy<AuditSigningKey> _key = new(() => configuration.LoadAuditSigningKey(storage));

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
