using ReleaseGateway.EventStore;
using ReleaseGateway.Requests;
using ReleaseGateway.Requests.AccessRequests;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Releases.Pipeline;

namespace ReleaseGateway.Releases.Budget;

/// <summary>
/// Reserves the approved release's cost in the same commit as the approval (an approval over the cap is refused
/// with the remaining budget in the message, and nothing is recorded), and gives uncharged reservations back in
/// the same commit as a withdrawal or rejection.
/// </summary>
internal sealed class BudgetReservationHook(IEventStore store, PolicyCatalog policies, PrivacyBudgetLedgers ledgers) : IAccessRequestDecisionHook
{
    public async Task StageAsync(IEventSession session, AccessRequest request, IReadOnlyList<object> decided, Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        for (var i = 0; i < decided.Count; i++)
        {
            switch (decided[i])
            {
                case AccessRequestApproved approved:
                {
                    var dataset = await LoadDatasetAsync(request.DatasetId, ct);
                    var policy = policies.Of(dataset);
                    var terms = approved.Terms ?? request.Terms;
                    var releaseId = ReleaseIds.For(request.Id, request.Version + i + 1);
                    var cap = BudgetCap.Of(policy);
                    var ledger = await ledgers.LoadAsync(request.DatasetId, ct);
                    var decision = ledger.Reserve(cap, releaseId, request.Id, PrivacyCost.ForZcdpRelease(terms.Epsilon, cap.Delta),
                        terms.Epsilon, cap.Delta, actor.Id, now);
                    if (decision.Reserved is null)
                        throw new RequestRefusedException(ReleaseErrors.BudgetExhausted(decision.Message!, request.State));
                    PrivacyBudgetLedgers.Stage(session, ledger, decision.Reserved);
                    break;
                }
                case AccessRequestWithdrawn or AccessRequestRejected:
                {
                    var ledger = await ledgers.LoadAsync(request.DatasetId, ct);
                    var reason = decided[i] is AccessRequestWithdrawn ? "request withdrawn" : "request rejected";
                    var released = ledger.ReleaseUncharged(request.Id, reason, actor.Id, now);
                    if (released.Count > 0) session.Append(PrivacyBudgetLedger.StreamIdFor(request.DatasetId), ledger.Version, [.. released]);
                    break;
                }
            }
        }
    }

    private async Task<DatasetDetails> LoadDatasetAsync(Guid datasetId, CancellationToken ct) =>
        await store.LoadAsync<DatasetDetails>(datasetId, ct)
        ?? throw new RequestRefusedException(RequestErrors.DatasetNotFound(datasetId.ToString()));
}
