using ReleaseGateway.Problems;
using ReleaseGateway.Requests;
using static ReleaseGateway.Requests.RequestErrors;

namespace ReleaseGateway.Releases;

/// <summary>Refusals of the release module (the RG3xxx range; each has its row in <c>ReleaseGateway.Problems.ErrorCodes</c>).</summary>
public static class ReleaseErrors
{
    public static RequestError BudgetExhausted(string detail, string state) => From(ErrorCodes.BudgetExhausted, detail, state);

    public static RequestError ReleaseNotFound(Guid releaseId) => From(ErrorCodes.ReleaseNotFound, $"No release {releaseId}.");

    public static RequestError NoArtifact(Guid releaseId, string name, IEnumerable<string> names) =>
        From(ErrorCodes.ReleaseNotFound, $"Release {releaseId} has no artifact '{name}' (it has: {string.Join(", ", names)}).");

    public static RequestError NoLongerAvailable(string detail) => From(ErrorCodes.ReleaseNoLongerAvailable, detail);

    public static RequestError NotAllowedToDownload() => From(ErrorCodes.NotAllowedToDownload,
        "Only the researcher who requested this release, committee members and compliance officers may download it.");

    public static RequestError NotPublished(Guid releaseId, string status) =>
        From(ErrorCodes.ReleaseNotPublished, $"Release {releaseId} is {status}; only published releases can be downloaded, revoked or expired.");
}
