using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using ReleaseGateway.EventStore;

namespace ReleaseGateway.Identity;

/// <summary>
/// Identity settings, read from the configuration section <c>Identity</c> next to the shared keys
/// <c>ReleaseGateway:DataDirectory</c> and <c>ConnectionStrings:Postgres</c>. Defaults are the production values.
/// </summary>
public sealed record IdentitySettings
{
    public required string DataDirectory { get; init; }

    public string? PostgresConnectionString { get; init; }

    /// <summary>Refuse plain HTTP (<c>ReleaseGateway:RequireHttps</c>); defaults to true outside Development.</summary>
    public bool RequireHttps { get; init; } = true;

    public int MaxFailedAccessAttempts { get; init; } = 5;

    public TimeSpan LockoutDuration { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Requests per client address and window on the token, device and sign-in endpoints.</summary>
    public int AuthPermitLimit { get; init; } = 20;

    public TimeSpan AuthRateWindow { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan AccessTokenLifetime { get; init; } = TimeSpan.FromMinutes(15);

    public TimeSpan RefreshTokenLifetime { get; init; } = TimeSpan.FromDays(14);

    /// <summary>Age after which a new signing key is generated at start-up; older keys still validate for one more period.</summary>
    public TimeSpan KeyRotationPeriod { get; init; } = TimeSpan.FromDays(90);

    /// <summary>How long an administrator's one-time password-reset link works (ADR 0053).</summary>
    public TimeSpan ResetLinkLifetime { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Issuer URI when the gateway sits behind a proxy; by default OpenIddict uses the request's host.</summary>
    public Uri? Issuer { get; init; }

    public bool UsesPostgres => !string.IsNullOrWhiteSpace(PostgresConnectionString);

    public string SqlitePath => Path.Combine(DataDirectory, "identity.db");

    public string KeysDirectory => Path.Combine(DataDirectory, "keys");

    public static IdentitySettings Read(IConfiguration configuration, IHostEnvironment? environment)
    {
        var shared = configuration.ReadEventStoreSettings();
        var section = configuration.GetSection("Identity");
        var defaults = new IdentitySettings { DataDirectory = shared.DataDirectory };
        return defaults with
        {
            PostgresConnectionString = shared.PostgresConnectionString,
            RequireHttps = configuration.GetValue("ReleaseGateway:RequireHttps", environment?.IsDevelopment() != true),
            MaxFailedAccessAttempts = section.GetValue("Lockout:MaxFailedAttempts", defaults.MaxFailedAccessAttempts),
            LockoutDuration = section.GetValue("Lockout:Duration", defaults.LockoutDuration),
            AuthPermitLimit = section.GetValue("RateLimit:PermitLimit", defaults.AuthPermitLimit),
            AuthRateWindow = section.GetValue("RateLimit:Window", defaults.AuthRateWindow),
            AccessTokenLifetime = section.GetValue("Tokens:AccessTokenLifetime", defaults.AccessTokenLifetime),
            RefreshTokenLifetime = section.GetValue("Tokens:RefreshTokenLifetime", defaults.RefreshTokenLifetime),
            KeyRotationPeriod = section.GetValue("Keys:RotationPeriod", defaults.KeyRotationPeriod),
            ResetLinkLifetime = section.GetValue("ResetLinks:Lifetime", defaults.ResetLinkLifetime),
            Issuer = section["Issuer"] is { Length: > 0 } issuer ? new Uri(issuer) : null,
        };
    }
}
