using ReleaseGateway.EventStore;
using ReleaseGateway.EventStore.Verification;

namespace ReleaseGateway.Web.Infrastructure;

/// <summary>
/// The audit chain's last verification in this process, so the audit trail opens with the chain's status instead of a
/// button. A log up to <see cref="VerifyOnOpenUpTo"/> events is verified when the page opens and the head has moved since
/// (a few hundred milliseconds at most); a longer one shows the last verification and how many events came after it,
/// and "Verify the chain" walks it all.
/// </summary>
public sealed class ChainStatus(TimeProvider time)
{
    public const long VerifyOnOpenUpTo = 20_000;

    private Checked? _last;

    public sealed record Checked(VerificationResult Result, DateTimeOffset At);

    public Checked? Last => _last;

    public Checked Record(VerificationResult result) => _last = new Checked(result, time.GetUtcNow());

    /// <summary>The status for a page showing <paramref name="head"/>: verified now when the log is small enough and has moved.</summary>
    public async Task<Checked?> OnOpenAsync(IEventStore store, ChainHead head, CancellationToken ct)
    {
        var last = _last;
        if (last is not null && last.Result.HeadPosition == head.Position && last.Result.Intact) return last;
        if (head.Position > VerifyOnOpenUpTo) return last;
        return Record(await ChainVerifier.VerifyStoreAsync(store, cancellationToken: ct));
    }
}
