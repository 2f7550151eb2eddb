namespace ReleaseGateway.Releases.Budget;

// The budget ledger of one source dataset is its own stream (id from PrivacyBudgetLedger.StreamIdFor).
// Reservations are made on approval, turned into charges when generation starts, never refunded after.

/// <summary>An approved request's cost was set aside; <c>EpsilonSpentAfter</c> is the ledger (spent + reserved) at the cap's delta.</summary>
public sealed record PrivacyBudgetReserved(Guid DatasetId, Guid RequestId, PrivacyCost Cost, double Epsilon, double Delta,
    double EpsilonCommittedAfter, string ReservedBy, DateTimeOffset ReservedAt);

/// <summary>Generation started: the reservation is now spent, whatever happens to the run.</summary>
public sealed record PrivacyBudgetCharged(Guid DatasetId, Guid RequestId, double EpsilonSpentAfter, string ChargedBy, DateTimeOffset ChargedAt);

/// <summary>A request withdrawn or rejected before generation gave its reservation back.</summary>
public sealed record PrivacyBudgetReservationReleased(Guid DatasetId, Guid RequestId, string Reason, string ReleasedBy, DateTimeOffset ReleasedAt);

public static class PrivacyBudgetEventTypes
{
    public static readonly IReadOnlyList<Type> All = [typeof(PrivacyBudgetReserved), typeof(PrivacyBudgetCharged), typeof(PrivacyBudgetReservationReleased)];
}
