using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Releases.Budget;
using ReleaseGateway.Releases.Reports;
using ReleaseGateway.Requests.Policies;
using ReleaseGateway.Synthesis.Schema;

namespace ReleaseGateway.Releases.Pipeline;

/// <summary>The one mapping from a release's plan to the public privacy facts the report, manifest and pages state.</summary>
public static class ReleasePrivacy
{
    /// <summary>How the attempt's ε is divided (ε_g for the DP release check, the rest for synthesis; k rows per person).</summary>
    public static ReleaseBudgetPlan PlanOf(ReleaseGenerationStarted started, DatasetPolicy policy, DatasetSchema schema) =>
        policy.PlanRelease(started.Epsilon, schema.PersonKey is not null);

    public static ReleaseFacts FactsOf(ReleaseGenerationStarted started, ReleaseBudgetPlan plan) =>
        new(started.ReleaseId, started.DatasetName, started.Generator, started.GeneratorVersion, started.Epsilon, started.Delta,
            plan.Unit, plan.MaxRowsPerPerson, plan.TotalRho, plan.SynthesisRhoPerUnit, plan.GateEpsilon, plan.GateRho, started.Columns, started.AccessDays);
}
