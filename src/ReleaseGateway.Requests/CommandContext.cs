using FluentValidation;
using FluentValidation.Results;
using Microsoft.AspNetCore.Http;
using ReleaseGateway.EventStore;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;

namespace ReleaseGateway.Requests;

/// <summary>
/// Who runs a command and how its events are recorded: all a command needs of its caller, so the same handler serves
/// an HTTP endpoint, a web page and a job, and never sees an <see cref="HttpContext"/>.
/// </summary>
/// <param name="Actor">The caller as the workflow sees it.</param>
/// <param name="Metadata">The metadata of the events the caller causes, acting in the role given (with the correlation id).</param>
/// <param name="ExpectedVersion">The request version the caller last saw (HTTP <c>If-Match</c>); a request that moved on is refused.</param>
public sealed record CommandContext(Actor Actor, Func<string, EventMetadata> Metadata, long? ExpectedVersion = null)
{
    /// <summary>
    /// The caller of an HTTP request or a web page: its principal (bearer token or web session, with the same claims),
    /// the W3C trace id as correlation id, and its <c>If-Match</c> header.
    /// </summary>
    public static CommandContext Of(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var current = http.GetActor();
        var correlationId = http.GetCorrelationId();
        return new CommandContext(new Actor(current.Id, current.Roles), role => current.ToEventMetadata(role, correlationId), IfMatch(http));
    }

    private static long? IfMatch(HttpContext http)
    {
        var value = http.Request.Headers.IfMatch.ToString().Trim().Trim('"');
        if (value.Length == 0) return null;
        return long.TryParse(value, out var v)
            ? v
            : throw new ValidationException([new ValidationFailure("If-Match", "If-Match must be the request's version (its ETag).")]);
    }
}

/// <summary>HTTP-side helpers of the request endpoints.</summary>
internal static class HttpCallers
{
    public static Actor ToActor(this HttpContext http)
    {
        var actor = http.GetActor();
        return new Actor(actor.Id, actor.Roles);
    }

    /// <summary>Sets the response's ETag to the request's version (what a client sends back as If-Match).</summary>
    public static AccessRequestDetails WithETag(this HttpContext http, AccessRequestDetails details)
    {
        http.Response.Headers.ETag = $"\"{details.Version}\"";
        return details;
    }
}
