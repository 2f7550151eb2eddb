using System.Security.Cryptography;
using System.Text;
using ReleaseGateway.EventStore;

namespace ReleaseGateway.Releases.Budget;

/// <summary>The cap a dataset's policy sets: total (epsilon, delta) over every release, and a maximum number of releases.</summary>
public sealed record BudgetCap(double Epsilon, double Delta, int MaxReleases);

/// <summary>One request's entry in the ledger.</summary>
public sealed record LedgerEntry(Guid RequestId, PrivacyCost Cost, double Epsilon, bool Charged, DateTimeOffset At);

/// <summary>
/// The privacy budget of one source dataset, rebuilt from its events: every reservation and charge
/// ever made, composed. Pure: the deciders return events and never touch storage.
/// </summary>
public sealed record PrivacyBudgetLedger(Guid DatasetId, IReadOnlyDictionary<Guid, LedgerEntry> Entries, long Version)
{
    public static PrivacyBudgetLedger Empty(Guid datasetId) => new(datasetId, new Dictionary<Guid, LedgerEntry>(), 0);

    /// <summary>The ledger's stream id: derived from the dataset id so every process finds the same stream.</summary>
    public static Guid StreamIdFor(Guid datasetId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"privacy-budget-ledger:{datasetId:D}"));
        return new Guid(hash.AsSpan(0, 16));
    }

    public static PrivacyBudgetLedger Rebuild(Guid datasetId, IEnumerable<StoredEvent> events) =>
        events.Aggregate(Empty(datasetId), (ledger, e) => ledger.Apply(e.Data) with { Version = e.StreamVersion });

    public PrivacyBudgetLedger Apply(object? @event)
    {
        var entries = new Dictionary<Guid, LedgerEntry>(Entries);
        switch (@event)
        {
            case PrivacyBudgetReserved r:
                entries[r.RequestId] = new LedgerEntry(r.RequestId, r.Cost, r.Epsilon, false, r.ReservedAt);
                break;
            case PrivacyBudgetCharged c when entries.TryGetValue(c.RequestId, out var reserved):
                entries[c.RequestId] = reserved with { Charged = true, At = c.ChargedAt };
                break;
            case PrivacyBudgetReservationReleased x:
                entries.Remove(x.RequestId);
                break;
        }
        return this with { Entries = entries };
    }

    /// <summary>Spent plus reserved: what no new release may push past the cap.</summary>
    public PrivacyCost Committed => Entries.Values.Aggregate(PrivacyCost.Zero, (sum, e) => sum.Add(e.Cost));

    public PrivacyCost Spent => Entries.Values.Where(e => e.Charged).Aggregate(PrivacyCost.Zero, (sum, e) => sum.Add(e.Cost));

    /// <summary>
    /// The largest epsilon (at <paramref name="releaseDelta"/>) a new zCDP release could still have without the
    /// composed ledger exceeding the cap: the "remaining budget" people can act on. Found by bisection on rho.
    /// </summary>
    public double RemainingEpsilon(BudgetCap cap, double releaseDelta)
    {
        var committed = Committed;
        if (committed.EpsilonAt(cap.Delta) >= cap.Epsilon || Entries.Count >= cap.MaxReleases) return 0;
        double low = 0, high = PrivacyCost.ForZcdpRelease(cap.Epsilon, releaseDelta).Rho;
        for (var i = 0; i < 100; i++)
        {
            var mid = (low + high) / 2;
            if (committed.Add(new PrivacyCost(mid)).EpsilonAt(cap.Delta) <= cap.Epsilon) low = mid;
            else high = mid;
        }
        return low == 0 ? 0 : new PrivacyCost(low).EpsilonAt(releaseDelta);
    }

    /// <summary>Reserves <paramref name="cost"/> for an approved request, or refuses with the remaining budget in the message.</summary>
    public BudgetDecision Reserve(BudgetCap cap, Guid requestId, PrivacyCost cost, double epsilon, double releaseDelta, string actor, DateTimeOffset now)
    {
        if (Entries.ContainsKey(requestId))
            return BudgetDecision.Refuse(BudgetRefusal.AlreadyReserved, $"Request {requestId} already holds a reservation on this dataset's budget.");
        if (Entries.Count >= cap.MaxReleases)
            return BudgetDecision.Refuse(BudgetRefusal.TooManyReleases, $"The dataset's policy allows {cap.MaxReleases} releases and all are taken.");
        var after = Committed.Add(cost).EpsilonAt(cap.Delta);
        if (after > cap.Epsilon * (1 + 1e-12))
            return BudgetDecision.Refuse(BudgetRefusal.CapExceeded,
                $"Approving epsilon = {epsilon:G4} would bring the dataset's composed budget to epsilon = {after:G4} (delta = {cap.Delta:G3}), over its cap of {cap.Epsilon:G4}; " +
                $"the largest epsilon still available for a release is {RemainingEpsilon(cap, releaseDelta):G4}.");
        return BudgetDecision.Accept(new PrivacyBudgetReserved(DatasetId, requestId, cost, epsilon, releaseDelta, after, actor, now));
    }

    /// <summary>Turns a reservation into a charge when generation starts. Charging twice is a no-op (a resumed job).</summary>
    public PrivacyBudgetCharged? Charge(Guid requestId, string actor, DateTimeOffset now, double capDelta)
    {
        if (!Entries.TryGetValue(requestId, out var entry))
            throw new InvalidOperationException($"Request {requestId} has no reservation to charge; generation must not start without one.");
        if (entry.Charged) return null;
        var spentAfter = Spent.Add(entry.Cost).EpsilonAt(capDelta);
        return new PrivacyBudgetCharged(DatasetId, requestId, spentAfter, actor, now);
    }

    /// <summary>Gives a reservation back (withdrawn or rejected before generation). A charge is never given back.</summary>
    public PrivacyBudgetReservationReleased? Release(Guid requestId, string reason, string actor, DateTimeOffset now)
    {
        if (!Entries.TryGetValue(requestId, out var entry)) return null;
        if (entry.Charged)
            throw new InvalidOperationException($"Request {requestId} has been charged; spent privacy budget is never refunded.");
        return new PrivacyBudgetReservationReleased(DatasetId, requestId, reason, actor, now);
    }
}

public enum BudgetRefusal
{
    CapExceeded,
    TooManyReleases,
    AlreadyReserved,
}

public sealed record BudgetDecision(PrivacyBudgetReserved? Reserved, BudgetRefusal? Refusal, string? Message)
{
    public static BudgetDecision Accept(PrivacyBudgetReserved reserved) => new(reserved, null, null);

    public static BudgetDecision Refuse(BudgetRefusal refusal, string message) => new(null, refusal, message);
}
