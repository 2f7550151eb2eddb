using System.Diagnostics;

namespace ReleaseGateway.Api.ServiceDefaults;

/// <summary>The gateway's one <see cref="ActivitySource"/> and meter name; modules create instruments on the same meter through IMeterFactory.</summary>
public static class GatewayTelemetry
{
    public const string Name = "ReleaseGateway";

    public static ActivitySource ActivitySource { get; } = new(Name);
}
