using FluentValidation;
using FluentValidation.Results;
using ReleaseGateway.Releases.Artifacts;
using ReleaseGateway.Requests;
using ReleaseGateway.Requests.Audit;
using ReleaseGateway.Requests.Validation;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Releases.Pipeline;

/// <summary>
/// Downloads and revocations as the HTTP endpoints and the web pages both run them, in-process, for the caller described
/// by a <see cref="CommandContext"/>. Refusals throw
/// <see cref="RequestRefusedException"/> or <see cref="ValidationException"/> with nothing changed on the release; the refusal
/// itself is recorded beside it (<see cref="Refusals"/>, ADR 0031).
/// </summary>
public sealed class ReleaseCommands(ReleaseLifecycle lifecycle, ArtifactStore artifacts, Refusals refusals)
{
    public const int MaxReasonLength = ReasonValidator.MaxLength;

    /// <summary>Records the download (who, in which role, which artifact) and opens the artifact after checking its hash.</summary>
    public Task<(ReleaseArtifact Artifact, Stream Content)> DownloadAsync(CommandContext caller, Guid releaseId, string artifactName, CancellationToken ct) =>
        refusals.RecordedAsync(caller, releaseId, "download", () => DownloadCoreAsync(caller, releaseId, artifactName, ct));

    private async Task<(ReleaseArtifact Artifact, Stream Content)> DownloadCoreAsync(CommandContext caller, Guid releaseId, string artifactName, CancellationToken ct)
    {
        var actor = caller.Actor;
        var role = new[] { WorkflowRoles.ComplianceOfficer, WorkflowRoles.CommitteeMember, WorkflowRoles.Researcher }.FirstOrDefault(actor.IsIn)
            ?? actor.Roles.Order(StringComparer.Ordinal).First();
        var artifact = await lifecycle.RecordDownloadAsync(releaseId, artifactName, actor.Id, actor.Roles, caller.Metadata(role), ct);
        return (artifact, await artifacts.OpenVerifiedAsync(artifact.Sha256, ct));
    }

    /// <summary>Records the view (who, in which role, which file, through which route) and opens the evaluation report; inside the boundary only.</summary>
    public async Task<(ReleaseArtifact Artifact, Stream Content)> ReadEvaluationReportAsync(CommandContext caller, Guid releaseId, bool html, string via,
        CancellationToken ct)
    {
        var actor = caller.Actor;
        var role = new[] { WorkflowRoles.ComplianceOfficer, WorkflowRoles.CommitteeMember, WorkflowRoles.DataSteward }.FirstOrDefault(actor.IsIn)
            ?? actor.Roles.Order(StringComparer.Ordinal).FirstOrDefault() ?? "";
        var artifact = await lifecycle.RecordEvaluationViewAsync(releaseId, html, via, actor.Id, actor.Roles, caller.Metadata(role), ct);
        return (artifact, await artifacts.OpenVerifiedAsync(artifact.Sha256, ct));
    }

    /// <summary>Revokes a published release with a reason; the workflow decides who may (committee members, data stewards).</summary>
    public Task<ReleaseDetails> RevokeAsync(CommandContext caller, Guid releaseId, string? reason, CancellationToken ct) =>
        refusals.RecordedAsync(caller, releaseId, "revoke", () => RevokeCoreAsync(caller, releaseId, reason, ct));

    private async Task<ReleaseDetails> RevokeCoreAsync(CommandContext caller, Guid releaseId, string? reason, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(reason))
            throw new ValidationException([new ValidationFailure("Reason", $"Give a reason (at most {MaxReasonLength} characters).")]);
        new ReasonValidator().ValidateAndThrow(reason);
        var actor = caller.Actor;
        var acting = actor.IsIn(WorkflowRoles.CommitteeMember) ? WorkflowRoles.CommitteeMember
            : actor.IsIn(WorkflowRoles.DataSteward) ? WorkflowRoles.DataSteward
            : throw new RequestRefusedException(RequestErrors.RoleRequired("Revoking a release requires the role CommitteeMember or DataSteward."));
        return await lifecycle.RevokeAsync(releaseId, reason, actor, caller.Metadata(acting), ct);
    }
}
