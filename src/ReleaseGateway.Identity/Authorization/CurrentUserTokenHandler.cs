using OpenIddict.Abstractions;
using OpenIddict.Validation;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Validation.OpenIddictValidationEvents;

namespace ReleaseGateway.Identity.Authorization;

/// <summary>
/// Runs on every API call after OpenIddict has validated the access token (signature, expiry, audience): a user's
/// token is accepted only while <see cref="UserAccessCheck"/> says it stands for the user as they are now, so a
/// revoked role, a disabled or locked account or a changed password ends the token's use at once instead of when it
/// expires (issue 15, ADR 0029). A refused token answers 401 like an expired one: sign in again. Service clients'
/// tokens carry no stamp; their roles are fixed at registration.
/// </summary>
internal sealed class CurrentUserTokenHandler(UserAccessCheck check) : IOpenIddictValidationHandler<ProcessAuthenticationContext>
{
    public static OpenIddictValidationHandlerDescriptor Descriptor { get; } =
        OpenIddictValidationHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
            .UseSingletonHandler<CurrentUserTokenHandler>()
            .SetOrder(OpenIddictValidationHandlers.ValidateAccessToken.Descriptor.Order + 500)
            .SetType(OpenIddictValidationHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ProcessAuthenticationContext context)
    {
        if (context.AccessTokenPrincipal is not { } principal) return;
        if (principal.GetClaim(GatewayClaims.ActorKind) == GatewayClaims.ServiceClientKind) return;
        var current = Guid.TryParse(principal.GetClaim(Claims.Subject), out var userId)
            && await check.IsCurrentAsync(userId, principal.GetClaim(UserAccessCheck.StampClaim), context.CancellationToken);
        if (!current)
            context.Reject(Errors.InvalidToken, "The token no longer matches the user's roles or account state; sign in again.");
    }
}
