using System.Diagnostics.Metrics;
using ReleaseGateway.Diagnostics;

namespace ReleaseGateway.Identity;

/// <summary>Identity counters on the gateway's one meter, <c>ReleaseGateway</c> (the meter factory hands every module the same instance).</summary>
public sealed class IdentityMetrics
{
    private readonly Counter<long> _signIns;
    private readonly Counter<long> _lockouts;
    private readonly Counter<long> _clientTokens;

    public IdentityMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(GatewayTelemetry.Name);
        _signIns = meter.CreateCounter<long>("rgw.identity.sign_ins", description: "Interactive sign-in attempts by outcome.");
        _lockouts = meter.CreateCounter<long>("rgw.identity.lockouts", description: "Accounts locked after repeated failures.");
        _clientTokens = meter.CreateCounter<long>("rgw.identity.client_tokens", description: "Tokens issued to service clients.");
    }

    public void SignIn(string outcome) => _signIns.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Lockout() => _lockouts.Add(1);

    public void ClientToken() => _clientTokens.Add(1);
}
