using System.Diagnostics;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using OpenIddict.Abstractions;
using ReleaseGateway.EventStore;

namespace ReleaseGateway.Identity.Authorization;

/// <summary>
/// Who is calling, read from a validated access token: a user (subject = user id, a Guid) or a service
/// client (subject = its client id). This is what goes into <see cref="EventMetadata"/>; never the e-mail.
/// </summary>
/// <param name="Id">The token subject: the user's id (<c>D</c> format) or the service client's id.</param>
/// <param name="IsServiceClient">True for client-credentials tokens.</param>
/// <param name="Roles">Gateway roles granted to the actor.</param>
public sealed record CurrentActor(string Id, bool IsServiceClient, IReadOnlySet<string> Roles)
{
    /// <summary>The user id as a Guid (stream ids, request ownership), or null for a service client.</summary>
    public Guid? UserId => !IsServiceClient && Guid.TryParse(Id, out var id) ? id : null;

    public bool IsInRole(string role) => Roles.Contains(role);

    /// <summary>Metadata for events this actor causes, acting in <paramref name="actingRole"/> (one of <see cref="Authorization.Roles"/>).</summary>
    public EventMetadata ToEventMetadata(string actingRole, string correlationId, string? causationId = null)
    {
        if (!IsInRole(actingRole))
            throw new InvalidOperationException($"The actor does not hold the role {actingRole}.");
        return new EventMetadata(Id, actingRole, correlationId, causationId);
    }
}

public static class CurrentActorExtensions
{
    /// <summary>The actor of an authenticated API call; throws when the principal has no subject (the endpoint lacks a policy).</summary>
    public static CurrentActor GetActor(this ClaimsPrincipal principal)
    {
        var subject = principal.GetClaim(OpenIddictConstants.Claims.Subject)
            ?? throw new InvalidOperationException("The principal has no subject; is the endpoint protected by a policy?");
        var isClient = principal.GetClaim(GatewayClaims.ActorKind) == GatewayClaims.ServiceClientKind;
        return new CurrentActor(subject, isClient, principal.GetClaims(OpenIddictConstants.Claims.Role).ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>The actor of the current request.</summary>
    public static CurrentActor GetActor(this HttpContext context) => context.User.GetActor();

    /// <summary>
    /// Event metadata for the current request: the caller acting in <paramref name="actingRole"/>, correlated by
    /// the W3C trace id so audit events and traces of one request can be joined.
    /// </summary>
    public static EventMetadata GetEventMetadata(this HttpContext context, string actingRole, string? causationId = null) =>
        context.GetActor().ToEventMetadata(actingRole, context.GetCorrelationId(), causationId);

    /// <summary>The trace id of the current activity, or the request's trace identifier without one.</summary>
    public static string GetCorrelationId(this HttpContext context) =>
        Activity.Current?.TraceId.ToHexString() ?? context.TraceIdentifier;
}

/// <summary>Claims of our own that tokens carry besides the standard ones.</summary>
public static class GatewayClaims
{
    /// <summary>Whether the subject is a user or a service client.</summary>
    public const string ActorKind = "rgw_actor";

    public const string UserKind = "user";
    public const string ServiceClientKind = "client";
}
