using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Releases.Reports;

namespace ReleaseGateway.Releases.Pipeline;

/// <summary>The one mapping from a release's recorded plan to the public privacy facts the report, manifest and pages state.</summary>
public static class ReleasePrivacy
{
    public static ReleaseFacts FactsOf(ReleaseGenerationStarted started, PrivacyCost cost)
    {
        // PROVISIONAL until h14a's plan fields are on ReleaseGenerationStarted: row unit, no gate slice.
        const double gateEpsilon = 0;
        var totalRho = cost.Rdp is null ? cost.Rho : ZcdpConversion.Rho(started.Epsilon, started.Delta);
        return new ReleaseFacts(started.ReleaseId, started.DatasetName, started.Generator, started.GeneratorVersion, started.Epsilon, started.Delta,
            ReleaseFacts.PerRow, 1, totalRho, totalRho - gateEpsilon * gateEpsilon / 2, gateEpsilon, gateEpsilon * gateEpsilon / 2, started.Columns,
            started.AccessDays);
    }
}
