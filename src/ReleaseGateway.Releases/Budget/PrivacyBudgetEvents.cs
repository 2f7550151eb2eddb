using System.Text.Json.Serialization;

namespace ReleaseGateway.Releases.Budget;

// The budget ledger of one source dataset is its own stream (id from PrivacyBudgetLedger.StreamIdFor).
// Each approval reserves for one release attempt (a regeneration is a new attempt of the same request);
// a reservation becomes a charge when generation starts and is never refunded after that.

/// <summary>An approved request's cost was set aside; <c>EpsilonCommittedAfter</c> is the ledger (spent + reserved) at the cap's delta.</summary>
public sealed record PrivacyBudgetReserved(Guid DatasetId, Guid ReleaseId, Guid RequestId, PrivacyCost Cost, double Epsilon, double Delta,
    double EpsilonCommittedAfter, string ReservedBy, DateTimeOffset ReservedAt);

/// <summary>
/// Generation started: the reservation is now spent, whatever happens to the run. <c>Cost</c> is the generator's
/// own accounting when it differs from the reservation (a DP-SGD run's Rényi curve), else null. <c>BinningRho</c> is the
/// slice of the charge (zCDP per unit) the DP quantiles placing bin edges spend (ADR 0037); null when there are none.
/// </summary>
public sealed record PrivacyBudgetCharged(Guid DatasetId, Guid ReleaseId, Guid RequestId, double EpsilonSpentAfter, string ChargedBy, DateTimeOffset ChargedAt,
    PrivacyCost? Cost = null, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? BinningRho = null);

/// <summary>A request withdrawn or rejected before generation gave its reservation back.</summary>
public sealed record PrivacyBudgetReservationReleased(Guid DatasetId, Guid ReleaseId, Guid RequestId, string Reason, string ReleasedBy, DateTimeOffset ReleasedAt);

public static class PrivacyBudgetEventTypes
{
    public static readonly IReadOnlyList<Type> All = [typeof(PrivacyBudgetReserved), typeof(PrivacyBudgetCharged), typeof(PrivacyBudgetReservationReleased)];
}
