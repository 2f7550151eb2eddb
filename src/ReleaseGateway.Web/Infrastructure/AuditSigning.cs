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

    public AuditSigningKey Key => _key.Value;

    public void Dispose()
    {
        if (_key.IsValueCreated) _key.Value.Dispose();
    }
}
