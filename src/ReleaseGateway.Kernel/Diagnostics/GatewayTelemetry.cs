using System.Diagnostics;

namespace ReleaseGateway.Diagnostics;

/// <summary>
/// The gateway's one <see cref="ActivitySource"/> and the name of its one meter (modules get the meter from
/// <c>IMeterFactory.Create(GatewayTelemetry.Name)</c>, which hands every caller the same instance). It lives in
/// the shared kernel, which every module may reference (ADR 0032).
/// </summary>
public static class GatewayTelemetry
{
    public const string Name = "ReleaseGateway";

    public static ActivitySource ActivitySource { get; } = new(Name);
}
