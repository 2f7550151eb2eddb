namespace ReleaseGateway.Requests.Agreements;

// Events of data-use agreements (ADR 0055). A dataset's agreement is a stream of its own (id from the dataset's id), so the
// dataset's stream and read model stay as they are; an acceptance is an event on the request's stream.

/// <summary>
/// The dataset's steward published version <c>Number</c> of its data-use agreement (1, 2, ...). The text is public
/// configuration, not personal data; <c>TextSha256</c> is what an acceptance names, so the accepted wording is on record.
/// </summary>
public sealed record DataUseAgreementPublished(Guid DatasetId, int Number, string Title, string Text, string TextSha256, string PublishedBy,
    DateTimeOffset PublishedAt);

/// <summary>The requester accepted version <c>Number</c> (with the text's hash) of the dataset's agreement for this request.</summary>
public sealed record DataUseAgreementAccepted(Guid RequestId, Guid DatasetId, int Number, string TextSha256, string AcceptedBy, DateTimeOffset AcceptedAt);

public static class AgreementEventTypes
{
    public static readonly IReadOnlyList<Type> All = [typeof(DataUseAgreementPublished), typeof(DataUseAgreementAccepted)];
}
