using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace ReleaseGateway.Identity.Data;

/// <summary>Users, roles and OpenIddict's applications, authorizations, scopes and tokens, in one database.</summary>
public sealed class IdentityStore(DbContextOptions<IdentityStore> options)
    : IdentityDbContext<GatewayUser, IdentityRole<Guid>, Guid>(options)
{
    /// <summary>PostgreSQL schema of these tables; the event store's tables may share the database.</summary>
    public const string PostgresSchema = "identity";

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.UseOpenIddict<Guid>();
        if (Database.IsNpgsql()) builder.HasDefaultSchema(PostgresSchema);
    }
}
