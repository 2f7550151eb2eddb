using ReleaseGateway.Evaluation.Gates;
using ReleaseGateway.Requests.Policies;

namespace ReleaseGateway.Releases.Pipeline;

/// <summary>
/// Where a dataset policy's gates, kept by the workflow as data, become the evaluation module's thresholds. The
/// evaluation module checked the same values at start-up, so this does not fail for a loaded policy.
/// </summary>
public static class DatasetPolicyGates
{
    /// <summary>The gate thresholds and shadow-model settings of <paramref name="policy"/>.</summary>
    public static EvaluationPolicy Evaluation(this DatasetPolicy policy) =>
        global::ReleaseGateway.Evaluation.Gates.PolicyLoader.FromSections(policy.Gates, policy.ShadowModel);
}
