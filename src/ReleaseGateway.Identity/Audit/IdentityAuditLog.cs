using Microsoft.Extensions.DependencyInjection;
using ReleaseGateway.EventStore;

namespace ReleaseGateway.Identity.Audit;

/// <summary>
/// Appends identity events to per-user and per-client streams. These streams have no decision to protect (a
/// sign-in does not depend on the previous one), so a version conflict with a concurrent sign-in is retried.
/// Failing to audit fails the operation: a sign-in the log does not show must not happen.
/// </summary>
public sealed class IdentityAuditLog(IEventStore store)
{
    private const int MaxAttempts = 8;

    public Task RecordAsync(Guid streamId, EventMetadata metadata, object @event, CancellationToken cancellationToken = default) =>
        RecordAsync(streamId, metadata, [@event], cancellationToken);

    public async Task RecordAsync(Guid streamId, EventMetadata metadata, object[] events, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var stream = await store.FetchStreamAsync(streamId, cancellationToken);
            await using var session = store.OpenSession(metadata);
            if (stream.Count == 0) session.StartStream(streamId, events);
            else session.Append(streamId, stream[^1].StreamVersion, events);
            try
            {
                await session.SaveChangesAsync(cancellationToken);
                return;
            }
            catch (StreamVersionConflictException) when (attempt < MaxAttempts)
            {
            }
        }
    }

    /// <summary>The user who created <paramref name="userId"/>'s account (the actor of its first event), when that was a user.</summary>
    public async Task<Guid?> CreatorOfAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var stream = await store.FetchStreamAsync(userId, cancellationToken);
        return stream.Count > 0 && stream[0].EventType == nameof(UserCreated) && Guid.TryParse(stream[0].Metadata.ActorId, out var creator) ? creator : null;
    }

    /// <summary>When the user last signed in, from their stream (the identity store keeps no such column).</summary>
    public async Task<DateTimeOffset?> LastSignInAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var stream = await store.FetchStreamAsync(userId, cancellationToken);
        return stream.LastOrDefault(e => e.EventType == nameof(UserSignedIn)) is { } last ? last.Timestamp : null;
    }

    /// <summary>
    /// The stream of failed sign-ins that name no account (issue 15: every failure is audited). Its events hold no
    /// e-mail address: a mistyped address is someone's personal data, and the hash chain keeps every byte forever.
    /// </summary>
    public static readonly Guid UnknownAccountsStream = new("0193c000-0000-7000-8000-000000000015");

    internal static void Register(IServiceCollection services) => services.ConfigureEventStore(o => o.Events
        .Register<UserCreated>()
        .Register<UserRoleGranted>()
        .Register<UserRoleRevoked>()
        .Register<UserSignedIn>()
        .Register<UserSignInFailed>()
        .Register<UserLockedOut>()
        .Register<UserSignInThrottled>()
        .Register<UnknownAccountSignInFailed>()
        .Register<UserDisabled>()
        .Register<UserEnabled>()
        .Register<UserPasswordChanged>()
        .Register<UserPasswordReset>()
        .Register<UserPasswordResetLinkIssued>()
        .Register<UserPasswordResetLinkSent>()
        .Register<UserPasswordResetByLink>()
        .Register<UserSecondFactorEnabled>()
        .Register<UserRecoveryCodesIssued>()
        .Register<DeviceSignInApproved>()
        .Register<ServiceClientRegistered>()
        .Register<TokenIssuedToClient>());
}
