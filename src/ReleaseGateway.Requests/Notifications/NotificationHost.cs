using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Data;

namespace ReleaseGateway.Requests.Notifications;

/// <summary>People's addresses and roles from the identity store, one scope per look-up (the dispatcher outlives requests).</summary>
public sealed class IdentityNotificationDirectory(IServiceScopeFactory scopes) : INotificationDirectory
{
    public async Task<string?> AddressOfAsync(string userId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<GatewayUser>>();
        return (await users.FindByIdAsync(userId))?.Email;
    }

    public async Task<IReadOnlyList<string>> HoldersOfAsync(string role, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<GatewayUser>>();
        return (await users.GetUsersInRoleAsync(role)).Select(u => u.Id.ToString()).ToList();
    }
}

/// <summary>
/// Runs the dispatcher every <c>ReleaseGateway:Notifications:IntervalSeconds</c> (default 15) in every gateway process;
/// several processes on one database share the work safely (ADR 0049). A failed pass is logged and retried next time.
/// </summary>
public sealed class NotificationHostedService(IEventStore store, IServiceScopeFactory scopes, SmtpSettings smtp, TimeProvider time,
    IConfiguration configuration, ILogger<NotificationHostedService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(configuration.GetValue("ReleaseGateway:Notifications:IntervalSeconds", 15.0));
        var dispatcher = new NotificationDispatcher(store, new SmtpNotificationSender(smtp), new IdentityNotificationDirectory(scopes), time,
            NotificationDispatchOptions.Default, $"{Environment.MachineName}/{Environment.ProcessId}");
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            try { await dispatcher.RunOnceAsync(stoppingToken); }
            catch (Exception ex) when (ex is not OperationCanceledException) { log.LogWarning(ex, "Notification pass failed; retried at the next tick."); }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
