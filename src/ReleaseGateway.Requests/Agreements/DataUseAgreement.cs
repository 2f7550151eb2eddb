using System.Security.Cryptography;
using System.Text;
using ReleaseGateway.EventStore;

namespace ReleaseGateway.Requests.Agreements;

public sealed record AgreementVersion(int Number, string Title, string Text, string TextSha256, string PublishedBy, DateTimeOffset PublishedAt);

/// <summary>Read model of a dataset's data-use agreement: every version, newest last.</summary>
public sealed record DataUseAgreement(Guid DatasetId, IReadOnlyList<AgreementVersion> Versions, long Version)
{
    public AgreementVersion Current => Versions[^1];

    /// <summary>The stream (and document) id of dataset <paramref name="datasetId"/>'s agreement.</summary>
    public static Guid StreamId(Guid datasetId) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes("data-use-agreement\n" + datasetId.ToString("N"))).AsSpan(0, 16));

    public static string Hash(string title, string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(title + "\n\n" + text)));

    public static Task<DataUseAgreement?> LoadAsync(IEventStore store, Guid datasetId, CancellationToken ct) =>
        store.LoadAsync<DataUseAgreement>(StreamId(datasetId), ct);
}

public sealed class DataUseAgreementProjection : SingleStreamProjection<DataUseAgreement>
{
    public override DataUseAgreement? Apply(DataUseAgreement? current, StoredEvent @event) => @event.Data switch
    {
        DataUseAgreementPublished p => new DataUseAgreement(p.DatasetId,
            [.. current?.Versions ?? [], new AgreementVersion(p.Number, p.Title, p.Text, p.TextSha256, p.PublishedBy, p.PublishedAt)], @event.StreamVersion),
        _ => current,
    };
}

/// <summary>
/// Where a request stands with its dataset's agreement: the current version (null: the dataset has none), the newest version
/// this request accepted, and whether the requester must accept before downloading.
/// </summary>
public sealed record AgreementStatus(Guid RequestId, Guid DatasetId, AgreementVersion? Current, int? AcceptedNumber, DateTimeOffset? AcceptedAt)
{
    public bool MustAccept => Current is { } c && AcceptedNumber != c.Number;

    /// <summary>The request's agreement status, from the agreement's stream and the acceptances on the request's stream.</summary>
    public static async Task<AgreementStatus> LoadAsync(IEventStore store, Guid requestId, Guid datasetId, CancellationToken ct)
    {
        var agreement = await DataUseAgreement.LoadAsync(store, datasetId, ct);
        var accepted = (await store.FetchStreamAsync(requestId, ct)).Select(e => e.Data).OfType<DataUseAgreementAccepted>()
            .Where(a => a.DatasetId == datasetId).MaxBy(a => a.Number);
        return new AgreementStatus(requestId, datasetId, agreement?.Current, accepted?.Number, accepted?.AcceptedAt);
    }
}
