using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenIddict.Abstractions;
using ReleaseGateway.Identity.Authorization;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace ReleaseGateway.Web.SignIn;

/// <summary>
/// Registers (or updates) the web interface's client at start-up, after the identity database exists: a public
/// client with PKCE, like the CLI's, whose redirect URI is accepted on the gateway's own origin
/// (<see cref="GatewayScopes.SameOriginRedirectProperty"/>); the registered host is a placeholder, the path is what counts.
/// </summary>
internal sealed class WebClientRegistration(IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = GatewayScopes.WebClientId,
            ClientType = ClientTypes.Public,
            ApplicationType = ApplicationTypes.Web,
            ConsentType = ConsentTypes.Implicit,
            DisplayName = "ReleaseGateway web interface",
            RedirectUris = { new Uri("http://localhost" + WebSignIn.CallbackPath) },
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token,
                Permissions.GrantTypes.AuthorizationCode, Permissions.ResponseTypes.Code,
                Permissions.Scopes.Profile, Permissions.Prefixes.Scope + GatewayScopes.Api,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        descriptor.Properties[GatewayScopes.SameOriginRedirectProperty] = JsonSerializer.SerializeToElement(true);
        var existing = await applications.FindByClientIdAsync(GatewayScopes.WebClientId, cancellationToken);
        if (existing is null) await applications.CreateAsync(descriptor, cancellationToken);
        else await applications.UpdateAsync(existing, descriptor, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
