using Microsoft.Extensions.Configuration;
using ReleaseGateway.EventStore;

namespace ReleaseGateway.Cli;

/// <summary>
/// The configuration the gateway reads, read the same way: appsettings.json in the working folder, then
/// environment variables (ReleaseGateway__DataDirectory, ConnectionStrings__Postgres, ...).
/// </summary>
internal static class CliConfiguration
{
    public static IConfiguration Load() => new ConfigurationBuilder()
        .SetBasePath(Directory.GetCurrentDirectory())
        .AddJsonFile("appsettings.json", optional: true)
        .AddEnvironmentVariables()
        .Build();
}

/// <summary>Exit codes shared by every rgw command.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Tampering found (audit), or verification failed.</summary>
    public const int Tampered = 1;
    /// <summary>Bad usage, bad input, or the database could not be reached.</summary>
    public const int UsageOrConnection = 2;
}
