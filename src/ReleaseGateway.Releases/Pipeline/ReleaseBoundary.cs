using ReleaseGateway.Requests.Workflows;

namespace ReleaseGateway.Releases.Pipeline;

/// <summary>
/// The trust boundary on the read side (docs/privacy.md, ADR 0025). Inside: committee members, compliance officers and
/// data stewards, who see the pipeline's real-data evidence (gate values, evaluator errors, block reasons, progress texts).
/// Outside: everyone else, the requester above all, who sees only what is DP, charged or public configuration: the status
/// (publish/block is decided by the DP release check), the percent done, and a fixed text per step. Every page, endpoint
/// and CLI view of a release goes through <see cref="View(ReleaseDetails, IReadOnlySet{string})"/>.
/// </summary>
public static class ReleaseBoundary
{
    /// <summary>The only block reason shown outside the boundary.</summary>
    public const string BlockedOutside = "blocked by the release checks; the committee decides";

    public static bool IsInside(IReadOnlySet<string> roles) =>
        roles.Contains(WorkflowRoles.CommitteeMember) || roles.Contains(WorkflowRoles.ComplianceOfficer) || roles.Contains(WorkflowRoles.DataSteward);

    /// <summary>The release as someone with <paramref name="roles"/> may see it.</summary>
    public static ReleaseDetails View(ReleaseDetails release, IReadOnlySet<string> roles) => IsInside(roles) ? release : release with
    {
        Approvers = [],
        Gates = [],
        EvaluationErrors = [],
        BlockedReason = release.BlockedReason is null ? null : BlockedOutside,
        Stage = StageOutside(release.Status),
    };

    /// <summary>Live progress as someone with <paramref name="roles"/> may see it: outside, the stage is a fixed text of the step.</summary>
    public static LiveProgress? View(LiveProgress? live, IReadOnlySet<string> roles) =>
        live is null || IsInside(roles) ? live : live with { Stage = StageOutside(live.Step) };

    // Progress texts inside name counts and epochs of the real training data; outside, only which step is running.
    private static string StageOutside(string statusOrStep) => statusOrStep switch
    {
        ReleaseStatus.Generating or "generate" => "generating",
        ReleaseStatus.Evaluating or "evaluate" => "running the release checks",
        ReleaseStatus.AwaitingPublication or "publish" => "publishing",
        ReleaseStatus.Blocked => "blocked",
        ReleaseStatus.Published => "published",
        ReleaseStatus.Revoked => "revoked",
        ReleaseStatus.Expired => "expired",
        _ => "",
    };
}
