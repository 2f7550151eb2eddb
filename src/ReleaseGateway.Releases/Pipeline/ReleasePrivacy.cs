using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Releases.Reports;

namespace ReleaseGateway.Releases.Pipeline;

/// <summary>The one mapping from a release's recorded plan to the public privacy facts the report, manifest and pages state.</summary>
public static class ReleasePrivacy
{
    public static ReleaseFacts FactsOf(ReleaseGenerationStarted started)
    {
        var plan = started.BudgetPlan();
        return new(started.ReleaseId, started.DatasetName, started.Generator, started.GeneratorVersion, started.Epsilon, started.Delta,
            plan.Unit, plan.MaxRowsPerPerson, plan.TotalRho, plan.SynthesisRhoPerUnit, plan.GateEpsilon, plan.GateRho, started.Columns, started.AccessDays,
            plan.BinningRho);
    }
}
