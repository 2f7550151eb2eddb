using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenIddict.Abstractions;
using ReleaseGateway.Identity.Authorization;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace ReleaseGateway.Identity.Data;

/// <summary>
/// Creates the identity schema on first start and registers the roles and the CLI's public client.
/// The schema is created from the model (no migrations yet, ADR 0010): on SQLite it has a file of its own; on
/// PostgreSQL it has a schema of its own, created unless its users table already exists, because the event
/// store's tables may already live in the same database.
/// </summary>
public static class IdentityDatabase
{
    public static async Task InitializeAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityStore>();
        // Nodes starting together on one PostgreSQL database take turns: the schema check, the roles and the CLI
        // client's registration (an optimistic update) would otherwise race (ADR 0041).
        await using var turn = await TakeInitializationLockAsync(db, cancellationToken);
        await CreateSchemaAsync(db, cancellationToken);

        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole<Guid>>>();
        foreach (var role in Roles.All)
            if (!await roles.RoleExistsAsync(role))
                await roles.CreateAsync(new IdentityRole<Guid>(role) { Id = Guid.CreateVersion7() });

        await RegisterCliClientAsync(scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>(), cancellationToken);
    }

    private const long InitializationLockKey = 0x5247_5749_4445_4e54; // "RGWIDENT"

    private static async Task<IAsyncDisposable?> TakeInitializationLockAsync(IdentityStore db, CancellationToken cancellationToken)
    {
        if (db.Database.IsSqlite()) return null;
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (!await creator.ExistsAsync(cancellationToken))
        {
            try
            {
                await creator.CreateAsync(cancellationToken);
            }
            catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.DuplicateDatabase)
            {
                // Another node created it first.
            }
        }
        var connection = new Npgsql.NpgsqlConnection(db.Database.GetConnectionString());
        await connection.OpenAsync(cancellationToken);
        // No command timeout: waiting for another node's (or rgw's) turn is not a failure.
        await using var command = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_lock({InitializationLockKey})", connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken);
        return connection; // closing the session releases the lock
    }

    private static async Task CreateSchemaAsync(IdentityStore db, CancellationToken cancellationToken)
    {
        if (db.Database.IsSqlite())
        {
            await db.Database.EnsureCreatedAsync(cancellationToken);
            // WAL lets the CLI read while the gateway writes.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            return;
        }
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (!await creator.ExistsAsync(cancellationToken)) await creator.CreateAsync(cancellationToken);
        var exists = await db.Database
            .SqlQueryRaw<bool>($"SELECT to_regclass('{IdentityStore.PostgresSchema}.\"AspNetUsers\"') IS NOT NULL AS \"Value\"")
            .SingleAsync(cancellationToken);
        if (!exists) await creator.CreateTablesAsync(cancellationToken);
    }

    private static async Task RegisterCliClientAsync(IOpenIddictApplicationManager applications, CancellationToken cancellationToken)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = GatewayScopes.CliClientId,
            ClientType = ClientTypes.Public,
            ApplicationType = ApplicationTypes.Native,
            ConsentType = ConsentTypes.Implicit,
            DisplayName = "rgw command line",
            // Registered without a port: any loopback port is accepted (LoopbackRedirectApplicationManager).
            RedirectUris = { new Uri("http://127.0.0.1/callback") },
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.DeviceAuthorization,
                Permissions.Endpoints.Revocation,
                Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken, Permissions.GrantTypes.DeviceCode,
                Permissions.ResponseTypes.Code,
                Permissions.Scopes.Profile, Permissions.Scopes.Email, Permissions.Prefixes.Scope + GatewayScopes.Api,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        var existing = await applications.FindByClientIdAsync(GatewayScopes.CliClientId, cancellationToken);
        if (existing is null) await applications.CreateAsync(descriptor, cancellationToken);
        else await applications.UpdateAsync(existing, descriptor, cancellationToken);
    }
}

internal sealed class IdentityDatabaseInitializer(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => IdentityDatabase.InitializeAsync(services, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Ready only when the identity database answers.</summary>
internal sealed class IdentityDatabaseHealthCheck(IdentityStore db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await db.Database.CanConnectAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The identity database does not answer.");
}
