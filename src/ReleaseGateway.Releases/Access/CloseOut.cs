using FluentValidation;
using ReleaseGateway.EventStore;
using ReleaseGateway.Problems;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Requests;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.Audit;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Requests.Validation;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Releases.Access;

/// <summary>The requester's close-out <c>Note</c>: what the release was used for, results, that local copies were deleted.</summary>
public sealed record CloseOutRelease(Guid ReleaseId, string Note);

public sealed class CloseOutReleaseValidator : AbstractValidator<CloseOutRelease>
{
    public const int MinLength = 20;
    public const int MaxLength = 10_000;

    public CloseOutReleaseValidator() =>
        RuleFor(c => c.Note).NotEmpty().WithMessage("Write the close-out note: what the release was used for and that local copies were deleted.")
            .Length(MinLength, MaxLength).WithMessage($"The note must be {MinLength} to {MaxLength} characters.").IsPlainText(multiLine: true);
}

public static class CloseOutErrors
{
    public static RequestError NotRequester() => RequestErrors.From(ErrorCodes.OnlyTheRequesterClosesOut,
        "Only the researcher who requested the release writes its close-out note.");

    public static RequestError NotOpen(Guid releaseId, string why) => RequestErrors.From(ErrorCodes.CloseOutNotOpen, $"Release {releaseId} {why}; nothing was recorded.");

    public static RequestError Due(string dataset, IEnumerable<Guid> releases) => RequestErrors.From(ErrorCodes.CloseOutDue,
        $"The policy of dataset '{dataset}' requires a close-out note when access ends; file it for release(s) {string.Join(", ", releases)} " +
        "(`rgw release close-out RELEASE --note ...` or the release page), then submit again.");
}

/// <summary>
/// Close-out of a release (ADR 0055): the requester's note, once, when the release is published (ending access early) or after
/// its access ended (expired or revoked). An event on the release's stream; the committee reads it on the release page.
/// </summary>
public sealed class CloseOutCommands(IEventStore store, TimeProvider time, Refusals refusals)
{
    private const int Attempts = 16;

    public Task<ReleaseDetails> CloseOutAsync(CommandContext caller, CloseOutRelease command, CancellationToken ct) =>
        refusals.RecordedAsync(caller, command.ReleaseId, "close-out", async () =>
        {
            for (var attempt = 1; ; attempt++)
            {
                var release = await store.LoadAsync<ReleaseDetails>(command.ReleaseId, ct);
                if (release is null || !ReleaseLifecycle.MayView(release, caller.Actor.Id, caller.Actor.Roles))
                    throw new RequestRefusedException(ReleaseErrors.ReleaseNotFound(command.ReleaseId));
                if (release.RequesterId != caller.Actor.Id) throw new RequestRefusedException(CloseOutErrors.NotRequester());
                if (release.ClosedOutAt is { } closed) throw new RequestRefusedException(CloseOutErrors.NotOpen(release.Id, $"was closed out at {closed:u}"));
                if (release.Status is not (ReleaseStatus.Published or ReleaseStatus.Expired or ReleaseStatus.Revoked))
                    throw new RequestRefusedException(CloseOutErrors.NotOpen(release.Id, $"is {release.Status}; only a published, expired or revoked release is closed out"));
                new CloseOutReleaseValidator().ValidateAndThrow(command);
                try
                {
                    await using var session = store.OpenSession(caller.Metadata(WorkflowRoles.Researcher));
                    session.Append(release.Id, release.Version, new ReleaseClosedOut(release.Id, release.RequestId, command.Note, caller.Actor.Id, time.GetUtcNow()));
                    await session.SaveChangesAsync(ct);
                    return (await store.LoadAsync<ReleaseDetails>(release.Id, ct))!;
                }
                catch (StreamVersionConflictException) when (attempt < Attempts)
                {
                    // A download, visa or the expiry sweep landed on the release first: look again.
                }
            }
        });
}

/// <summary>Where a dataset's policy requires close-out, a requester's new submission waits for the notes of their ended releases.</summary>
public sealed class CloseOutDueCheck(IEventStore store, TimeProvider time) : ISubmissionCheck
{
    public async Task CheckAsync(Actor requester, DatasetDetails dataset, DatasetPolicy policy, CancellationToken ct)
    {
        if (policy.CloseOut != CloseOutRules.Required) return;
        var now = time.GetUtcNow();
        var due = (await ReleaseQueries.OfDatasetAsync(store, dataset.Id, ct))
            .Where(r => r.RequesterId == requester.Id && r.ClosedOutAt is null && r.AccessEnded(now)).Select(r => r.Id).ToList();
        if (due.Count > 0) throw new RequestRefusedException(CloseOutErrors.Due(dataset.Name, due));
    }
}
