using FluentValidation;
using FluentValidation.Results;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ReleaseGateway.Identity.Authorization;
using ReleaseGateway.Releases.Artifacts;
using ReleaseGateway.Requests;
using ReleaseGateway.Requests.Audit;
using ReleaseGateway.Requests.Validation;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Releases.Pipeline;

/// <summary>
/// Downloads and revocations as the HTTP endpoints and the web pages both run them, in-process, for the current
/// request's principal (bearer token or web session, with the same claims). Refusals throw
/// <see cref="RequestRefusedException"/> or <see cref="ValidationException"/> with nothing changed on the release; the refusal
/// itself is recorded beside it (<see cref="Refusals"/>, ADR 0031).
/// </summary>
public static class ReleaseCommands
{
    public const int MaxReasonLength = ReasonValidator.MaxLength;

    /// <summary>Records the download (who, in which role, which artifact) and opens the artifact after checking its hash.</summary>
    public static Task<(ReleaseArtifact Artifact, Stream Content)> DownloadAsync(HttpContext http, Guid releaseId, string artifactName, CancellationToken ct) =>
        Refusals.RecordedAsync(http, releaseId, "download", () => DownloadCoreAsync(http, releaseId, artifactName, ct));

    private static async Task<(ReleaseArtifact Artifact, Stream Content)> DownloadCoreAsync(HttpContext http, Guid releaseId, string artifactName, CancellationToken ct)
    {
        var services = http.RequestServices;
        var actor = http.GetActor();
        var role = new[] { WorkflowRoles.ComplianceOfficer, WorkflowRoles.CommitteeMember, WorkflowRoles.Researcher }.FirstOrDefault(actor.IsInRole)
            ?? actor.Roles.Order(StringComparer.Ordinal).First();
        var artifact = await services.GetRequiredService<ReleaseLifecycle>()
            .RecordDownloadAsync(releaseId, artifactName, actor.Id, actor.Roles, http.GetEventMetadata(role), ct);
        return (artifact, await services.GetRequiredService<ArtifactStore>().OpenVerifiedAsync(artifact.Sha256, ct));
    }

    /// <summary>Revokes a published release with a reason; the workflow decides who may (committee members, data stewards).</summary>
    public static Task<ReleaseDetails> RevokeAsync(HttpContext http, Guid releaseId, string? reason, CancellationToken ct) =>
        Refusals.RecordedAsync(http, releaseId, "revoke", () => RevokeCoreAsync(http, releaseId, reason, ct));

    private static async Task<ReleaseDetails> RevokeCoreAsync(HttpContext http, Guid releaseId, string? reason, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(reason))
            throw new ValidationException([new ValidationFailure("Reason", $"Give a reason (at most {MaxReasonLength} characters).")]);
        new ReasonValidator().ValidateAndThrow(reason);
        var actor = http.GetActor();
        var acting = actor.IsInRole(WorkflowRoles.CommitteeMember) ? WorkflowRoles.CommitteeMember
            : actor.IsInRole(WorkflowRoles.DataSteward) ? WorkflowRoles.DataSteward
            : throw new RequestRefusedException(RequestErrors.RoleRequired("Revoking a release requires the role CommitteeMember or DataSteward."));
        return await http.RequestServices.GetRequiredService<ReleaseLifecycle>()
            .RevokeAsync(releaseId, reason, new Actor(actor.Id, actor.Roles), http.GetEventMetadata(acting), ct);
    }
}
