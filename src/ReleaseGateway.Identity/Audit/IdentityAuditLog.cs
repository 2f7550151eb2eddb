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

    internal static void Register(IServiceCollection services) => services.ConfigureEventStore(o => o.Events
        .Register<UserCreated>()
        .Register<UserRoleGranted>()
        .Register<UserRoleRevoked>()
        .Register<UserSignedIn>()
        .Register<UserSignInFailed>()
        .Register<UserLockedOut>()
        .Register<UserPasswordChanged>()
        .Register<UserSecondFactorEnabled>()
        .Register<DeviceSignInApproved>()
        .Register<ServiceClientRegistered>()
        .Register<TokenIssuedToClient>());
}
