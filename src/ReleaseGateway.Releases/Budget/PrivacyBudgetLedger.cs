using System.Security.Cryptography;
using System.Text;
using ReleaseGateway.EventStore;
using ReleaseGateway.Privacy.Accounting;

namespace ReleaseGateway.Releases.Budget;

/// <summary>
/// The cap a dataset's policy sets: total (epsilon, delta) over every release, and a maximum number of releases.
/// Each release is generated at the cap's delta: under zCDP composition only the composed rho is converted, at the
/// cap's delta, so a per-release delta would only change how a single release's epsilon is displayed.
/// </summary>
public sealed record BudgetCap(double Epsilon, double Delta, int MaxReleases)
{
    public static BudgetCap Of(ReleaseGateway.Requests.Policies.DatasetPolicy policy) => new(policy.Epsilon, policy.Delta, policy.MaxReleases);
}

/// <summary>One release attempt's entry in the ledger; <c>BinningRho</c>: the part of the charge DP binning spent (ADR 0037).</summary>
public sealed record LedgerEntry(Guid ReleaseId, Guid RequestId, PrivacyCost Cost, double Epsilon, bool Charged, DateTimeOffset At, double BinningRho = 0);

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
                entries[r.ReleaseId] = new LedgerEntry(r.ReleaseId, r.RequestId, r.Cost, r.Epsilon, false, r.ReservedAt);
                break;
            case PrivacyBudgetCharged c when entries.TryGetValue(c.ReleaseId, out var reserved):
                entries[c.ReleaseId] = reserved with { Charged = true, At = c.ChargedAt, Cost = c.Cost ?? reserved.Cost, BinningRho = c.BinningRho ?? reserved.BinningRho };
                break;
            case PrivacyBudgetReservationReleased x:
                entries.Remove(x.ReleaseId);
                break;
        }
        return this with { Entries = entries };
    }

    /// <summary>Spent plus reserved: what no new release may push past the cap.</summary>
    public PrivacyCost Committed => Entries.Values.Aggregate(PrivacyCost.Zero, (sum, e) => sum.Add(e.Cost));

    public PrivacyCost Spent => Entries.Values.Where(e => e.Charged).Aggregate(PrivacyCost.Zero, (sum, e) => sum.Add(e.Cost));

    /// <summary>
    /// The largest epsilon (at <paramref name="releaseDelta"/>) a new zCDP release could still have without the
    /// composed ledger exceeding the cap: the "remaining budget" people can act on. For a ledger of zCDP costs alone
    /// it is the rho the cap leaves (rho adds up under composition, and epsilon at the cap's delta grows with rho);
    /// with a Rényi curve on the ledger it is found by bisection on rho.
    /// </summary>
    public double RemainingEpsilon(BudgetCap cap, double releaseDelta)
    {
        var committed = Committed;
        if (committed.EpsilonAt(cap.Delta) >= cap.Epsilon || Entries.Count >= cap.MaxReleases) return 0;
        if (committed.Rdp is null)
        {
            var free = ZcdpConversion.Rho(cap.Epsilon, cap.Delta) - committed.Rho;
            return free <= 0 ? 0 : new PrivacyCost(free).EpsilonAt(releaseDelta);
        }
        double low = 0, high = PrivacyCost.ForZcdpRelease(cap.Epsilon, releaseDelta).Rho;
        for (var i = 0; i < 100; i++)
        {
            var mid = (low + high) / 2;
            if (committed.Add(new PrivacyCost(mid)).EpsilonAt(cap.Delta) <= cap.Epsilon) low = mid;
            else high = mid;
        }
        return low == 0 ? 0 : new PrivacyCost(low).EpsilonAt(releaseDelta);
    }

    /// <summary>Reserves <paramref name="cost"/> for an approved release attempt, or refuses with the remaining budget in the message.</summary>
    public BudgetDecision Reserve(BudgetCap cap, Guid releaseId, Guid requestId, PrivacyCost cost, double epsilon, double releaseDelta, string actor, DateTimeOffset now)
    {
        if (Entries.ContainsKey(releaseId))
            return BudgetDecision.Refuse(BudgetRefusal.AlreadyReserved, $"Release {releaseId} already holds a reservation on this dataset's budget.");
        if (Entries.Count >= cap.MaxReleases)
            return BudgetDecision.Refuse(BudgetRefusal.TooManyReleases, $"The dataset's policy allows {cap.MaxReleases} releases and all are taken.");
        var after = Committed.Add(cost).EpsilonAt(cap.Delta);
        if (after > cap.Epsilon * (1 + 1e-12))
            return BudgetDecision.Refuse(BudgetRefusal.CapExceeded,
                $"Approving epsilon = {epsilon:G4} would bring the dataset's composed budget to epsilon = {after:G4} (delta = {cap.Delta:G3}), over its cap of {cap.Epsilon:G4}; " +
                $"the largest epsilon still available for a release is {RemainingEpsilon(cap, releaseDelta):G4}.");
        return BudgetDecision.Accept(new PrivacyBudgetReserved(DatasetId, releaseId, requestId, cost, epsilon, releaseDelta, after, actor, now));
    }

    /// <summary>
    /// Turns a reservation into a charge when generation starts; charging twice is a no-op (a resumed job). A
    /// generator that accounts its own run refines the charge afterwards (<see cref="RecordAccountedCost"/>).
    /// </summary>
    /// <remarks><paramref name="binningRho"/> (0: none) is the slice of the charge the attempt's DP binning spends, recorded on the charge.</remarks>
    public PrivacyBudgetCharged? Charge(Guid releaseId, string actor, DateTimeOffset now, BudgetCap cap, double binningRho = 0)
    {
        if (!Entries.TryGetValue(releaseId, out var entry))
            throw new InvalidOperationException($"Release {releaseId} has no reservation to charge; generation must not start without one.");
        if (entry.Charged) return null;
        var spentAfter = Entries.Values.Where(e => e.Charged).Aggregate(entry.Cost, (sum, e) => sum.Add(e.Cost)).EpsilonAt(cap.Delta);
        return new PrivacyBudgetCharged(DatasetId, releaseId, entry.RequestId, spentAfter, actor, now, BinningRho: binningRho > 0 ? binningRho : null);
    }

    /// <summary>
    /// After a run whose generator accounts for itself (DP-SGD: its Rényi curve depends on the noisy record count),
    /// records that cost; the entry keeps the pointwise upper bound of the charge and the accounted curve, so the
    /// ledger never holds less than either. Over the cap it is still recorded (the data was touched) and logged by the caller.
    /// </summary>
    public PrivacyBudgetCharged RecordAccountedCost(Guid releaseId, PrivacyCost accounted, string actor, DateTimeOffset now, BudgetCap cap)
    {
        if (!Entries.TryGetValue(releaseId, out var entry) || !entry.Charged)
            throw new InvalidOperationException($"Release {releaseId} was not charged; an accounted cost can only refine a charge.");
        var cost = entry.Cost.UpperBound(accounted);
        var spentAfter = Entries.Values.Where(e => e.Charged && e.ReleaseId != releaseId).Aggregate(cost, (sum, e) => sum.Add(e.Cost)).EpsilonAt(cap.Delta);
        return new PrivacyBudgetCharged(DatasetId, releaseId, entry.RequestId, spentAfter, actor, now, cost);
    }

    /// <summary>Gives back the uncharged reservations of a request (withdrawn or rejected before generation). A charge is never given back.</summary>
    public IReadOnlyList<PrivacyBudgetReservationReleased> ReleaseUncharged(Guid requestId, string reason, string actor, DateTimeOffset now) =>
        Entries.Values.Where(e => e.RequestId == requestId && !e.Charged)
            .Select(e => new PrivacyBudgetReservationReleased(DatasetId, e.ReleaseId, requestId, reason, actor, now)).ToList();
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
