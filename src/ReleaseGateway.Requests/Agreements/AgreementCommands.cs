using FluentValidation;
using ReleaseGateway.EventStore;
using ReleaseGateway.Problems;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.AccessRequests.GetAccessRequestDetails;
using ReleaseGateway.Requests.Audit;
using ReleaseGateway.Requests.Committees;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Validation;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Requests.Agreements;

public sealed record PublishDataUseAgreement(Guid DatasetId, string Title, string Text);

public sealed class PublishDataUseAgreementValidator : AbstractValidator<PublishDataUseAgreement>
{
    public PublishDataUseAgreementValidator()
    {
        RuleFor(c => c.Title).NotEmpty().WithMessage("Give the agreement a title.").MaximumLength(200)
            .WithMessage("The title may be at most 200 characters.").IsPlainText();
        RuleFor(c => c.Text).NotEmpty().WithMessage("The agreement's text is required.").MaximumLength(20_000)
            .WithMessage("The text may be at most 20,000 characters.").IsPlainText(multiLine: true);
    }
}

/// <param name="Number">The version the requester read and accepts (it must be the current one).</param>
public sealed record AcceptDataUseAgreement(Guid RequestId, int Number);

public sealed class AcceptDataUseAgreementValidator : AbstractValidator<AcceptDataUseAgreement>
{
    public AcceptDataUseAgreementValidator() =>
        RuleFor(c => c.Number).GreaterThan(0).WithMessage("Name the version you accept (1, 2, ...), as the agreement shows it.");
}

public static class AgreementErrors
{
    public static RequestError NotAccepted(Guid releaseId, Guid requestId, AgreementVersion current) =>
        RequestErrors.From(ErrorCodes.AgreementNotAccepted,
            $"Accept version {current.Number} of the data-use agreement \"{current.Title}\" before downloading: on the release page " +
            $"/ui/releases/{releaseId}, or `rgw agreements accept {requestId}` (POST /requests/{requestId}/agreement/accept with {{\"number\": {current.Number}}}).")
        with
        {
            Extensions = new Dictionary<string, object?>
            {
                ["agreement"] = $"/requests/{requestId}/agreement", ["accept"] = $"/requests/{requestId}/agreement/accept",
                ["page"] = $"/ui/releases/{releaseId}#agreement", ["version"] = current.Number,
            },
        };

    public static RequestError NotCurrent(int given, int current) =>
        RequestErrors.From(ErrorCodes.AgreementVersionNotCurrent, $"Version {given} is not the current agreement; the current one is version {current}.");

    public static RequestError AlreadyAccepted(int number) =>
        RequestErrors.From(ErrorCodes.AgreementAlreadyAccepted, $"This request already accepted version {number} of the agreement.");

    public static RequestError None(Guid datasetId) => RequestErrors.From(ErrorCodes.NoAgreement, $"Dataset {datasetId} has no data-use agreement.");

    public static RequestError Unchanged(int number) =>
        RequestErrors.From(ErrorCodes.AgreementUnchanged, $"Version {number} already has this title and text; nothing was published.");

    public static RequestError NotSteward(Guid datasetId) =>
        RequestErrors.From(ErrorCodes.NotDatasetSteward, $"Only the steward who registered dataset {datasetId} may publish its data-use agreement.");
}

/// <summary>
/// Data-use agreements (ADR 0055): the dataset's registering steward publishes versions; the requester accepts the current
/// one for their request. Both are events; refusals store nothing and are recorded beside the stream they concern.
/// </summary>
public sealed class AgreementCommands(IEventStore store, TimeProvider time, Refusals refusals)
{
    private const int Attempts = 16;

    public Task<DataUseAgreement> PublishAsync(CommandContext caller, PublishDataUseAgreement command, CancellationToken ct) =>
        refusals.RecordedAsync(caller, command.DatasetId, "publish-agreement", async () =>
        {
            var dataset = await store.LoadAsync<DatasetDetails>(command.DatasetId, ct)
                ?? throw new RequestRefusedException(RequestErrors.DatasetNotFound(command.DatasetId.ToString()));
            if (!caller.Actor.IsIn(WorkflowRoles.DataSteward) || dataset.RegisteredBy != caller.Actor.Id)
                throw new RequestRefusedException(AgreementErrors.NotSteward(command.DatasetId));
            new PublishDataUseAgreementValidator().ValidateAndThrow(command);
            var current = await DataUseAgreement.LoadAsync(store, command.DatasetId, ct);
            var hash = DataUseAgreement.Hash(command.Title, command.Text);
            if (current?.Current is { } c && c.TextSha256 == hash) throw new RequestRefusedException(AgreementErrors.Unchanged(c.Number));
            var published = new DataUseAgreementPublished(command.DatasetId, (current?.Current.Number ?? 0) + 1, command.Title, command.Text, hash,
                caller.Actor.Id, time.GetUtcNow());
            var streamId = DataUseAgreement.StreamId(command.DatasetId);
            try
            {
                await using var session = store.OpenSession(caller.Metadata(WorkflowRoles.DataSteward));
                if (current is null) session.StartStream(streamId, published);
                else session.Append(streamId, current.Version, published);
                await session.SaveChangesAsync(ct);
            }
            catch (StreamVersionConflictException e)
            {
                throw new RequestRefusedException(RequestErrors.StaleVersion(e.ExpectedVersion, e.ActualVersion, null));
            }
            return (await DataUseAgreement.LoadAsync(store, command.DatasetId, ct))!;
        });

    public Task<AgreementStatus> AcceptAsync(CommandContext caller, AcceptDataUseAgreement command, CancellationToken ct) =>
        refusals.RecordedAsync(caller, command.RequestId, "accept-agreement", async () =>
        {
            for (var attempt = 1; ; attempt++)
            {
                var request = await VisibleAsync(caller.Actor, command.RequestId, ct);
                if (request.RequesterId != caller.Actor.Id)
                    throw new RequestRefusedException(RequestErrors.NotRequester("accept the data-use agreement of", request.State));
                new AcceptDataUseAgreementValidator().ValidateAndThrow(command);
                var status = await AgreementStatus.LoadAsync(store, request.Id, request.DatasetId, ct);
                var current = status.Current ?? throw new RequestRefusedException(AgreementErrors.None(request.DatasetId));
                if (command.Number != current.Number) throw new RequestRefusedException(AgreementErrors.NotCurrent(command.Number, current.Number));
                if (!status.MustAccept) throw new RequestRefusedException(AgreementErrors.AlreadyAccepted(current.Number));
                try
                {
                    await using var session = store.OpenSession(caller.Metadata(WorkflowRoles.Researcher));
                    session.Append(request.Id, request.Version,
                        new DataUseAgreementAccepted(request.Id, request.DatasetId, current.Number, current.TextSha256, caller.Actor.Id, time.GetUtcNow()));
                    await session.SaveChangesAsync(ct);
                    return await AgreementStatus.LoadAsync(store, request.Id, request.DatasetId, ct);
                }
                catch (StreamVersionConflictException) when (attempt < Attempts)
                {
                    // A workflow step landed on the request first: look again.
                }
            }
        });

    /// <summary>The request's agreement status, for whoever may see the request.</summary>
    public async Task<AgreementStatus> StatusAsync(Actor actor, Guid requestId, CancellationToken ct)
    {
        var request = await VisibleAsync(actor, requestId, ct);
        return await AgreementStatus.LoadAsync(store, request.Id, request.DatasetId, ct);
    }

    private async Task<AccessRequestDetails> VisibleAsync(Actor actor, Guid requestId, CancellationToken ct)
    {
        var request = await store.LoadAsync<AccessRequestDetails>(requestId, ct);
        if (request is null || !AccessRequestQueries.MaySee(actor, request, await CommitteeRoster.LoadAsync(store, ct)))
            throw new RequestRefusedException(RequestErrors.RequestNotFound(requestId));
        return request;
    }
}
