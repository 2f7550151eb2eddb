using ReleaseGateway.Releases.Pipeline;

namespace ReleaseGateway.Web.Infrastructure;

/// <summary>
/// Where a release attempt is, as the pages show it: the live figure from the process running its step when there is
/// one (<see cref="PipelineProgress"/>), else the last mark recorded in its stream; both as the viewer may see them
/// (<see cref="ReleaseBoundary"/>: outside it, no progress text that names counts of the real data).
/// </summary>
public sealed record AttemptProgress(string Status, string Step, int Percent, string Stage, bool Live)
{
    public static AttemptProgress Of(ReleaseDetails release, LiveProgress? live, IReadOnlySet<string> roles) =>
        Shown(ReleaseBoundary.View(release, roles), ReleaseBoundary.View(live, roles));

    private static AttemptProgress Shown(ReleaseDetails release, LiveProgress? live) =>
        live is not null && release.Status is ReleaseStatus.Generating or ReleaseStatus.Evaluating
            ? new AttemptProgress(release.Status, live.Step, live.Percent, live.Stage, true)
            : new AttemptProgress(release.Status, release.Step, release.Percent, release.Stage, false);

    public bool Running => Status is ReleaseStatus.Generating or ReleaseStatus.Evaluating;
}
