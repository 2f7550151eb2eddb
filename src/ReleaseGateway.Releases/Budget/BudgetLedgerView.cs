using ReleaseGateway.EventStore;
using ReleaseGateway.Requests;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Releases.Budget;

/// <summary>
/// One release attempt on the ledger: what it costs on its own, and whether it is spent or only reserved. <c>BinningRho</c> is
/// the slice of its charge spent on DP bin edges (0 when none, ADR 0037) and <c>BinningEpsilon</c> that slice alone as ε at the
/// cap's δ (it composes with the rest in ρ, so the two ε do not add up).
/// </summary>
public sealed record LedgerLine(Guid ReleaseId, Guid RequestId, double Epsilon, double EpsilonAtCapDelta, bool Charged, DateTimeOffset At,
    double BinningRho = 0, double BinningEpsilon = 0);

/// <summary>The ledger after one of its events: composed ε spent and committed (spent + reserved), at the cap's δ.</summary>
public sealed record LedgerPoint(long Version, DateTimeOffset At, string Event, Guid ReleaseId, double EpsilonSpent, double EpsilonCommitted);

/// <summary>A dataset's privacy budget as stewards, committee members and compliance officers read it.</summary>
public sealed record BudgetLedgerView(
    Guid DatasetId, double CapEpsilon, double CapDelta, int MaxReleases, double EpsilonSpent, double EpsilonCommitted, double RemainingEpsilon,
    int Releases, IReadOnlyList<LedgerLine> Entries, IReadOnlyList<LedgerPoint> History)
{
    /// <summary>Who may read a dataset's ledger: data stewards, committee members and compliance officers.</summary>
    public static bool MayRead(IReadOnlySet<string> roles) =>
        roles.Contains(WorkflowRoles.DataSteward) || roles.Contains(WorkflowRoles.ComplianceOfficer) || roles.Contains(WorkflowRoles.CommitteeMember);

    /// <summary>Builds the view by replaying the ledger stream, so the history is exactly what the events say.</summary>
    public static BudgetLedgerView Build(Guid datasetId, BudgetCap cap, IReadOnlyList<StoredEvent> events)
    {
        var ledger = PrivacyBudgetLedger.Empty(datasetId);
        var history = new List<LedgerPoint>();
        // A reservation leaves ε spent as it was, a charge leaves ε committed: one conversion per event, not two.
        var converted = new Dictionary<double, double>();
        double EpsilonAt(PrivacyCost cost) =>
            cost.Rdp is not null ? cost.EpsilonAt(cap.Delta)
            : converted.TryGetValue(cost.Rho, out var epsilon) ? epsilon
            : converted[cost.Rho] = cost.EpsilonAt(cap.Delta);
        foreach (var e in events)
        {
            ledger = ledger.Apply(e.Data) with { Version = e.StreamVersion };
            var release = e.Data switch
            {
                PrivacyBudgetReserved r => r.ReleaseId,
                PrivacyBudgetCharged c => c.ReleaseId,
                PrivacyBudgetReservationReleased x => x.ReleaseId,
                _ => Guid.Empty,
            };
            history.Add(new LedgerPoint(e.StreamVersion, e.Timestamp, e.EventType, release, EpsilonAt(ledger.Spent), EpsilonAt(ledger.Committed)));
        }
        return new BudgetLedgerView(datasetId, cap.Epsilon, cap.Delta, cap.MaxReleases, EpsilonAt(ledger.Spent), EpsilonAt(ledger.Committed),
            ledger.RemainingEpsilon(cap, cap.Delta), ledger.Entries.Count,
            ledger.Entries.Values.OrderBy(l => l.At).Select(l => new LedgerLine(l.ReleaseId, l.RequestId, l.Epsilon, l.Cost.EpsilonAt(cap.Delta), l.Charged, l.At,
                l.BinningRho, new PrivacyCost(l.BinningRho).EpsilonAt(cap.Delta))).ToList(),
            history);
    }
}
