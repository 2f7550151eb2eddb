using ReleaseGateway.Requests;

namespace ReleaseGateway.Releases;

/// <summary>Refusals of the release module (the RG3xxx range; each has its row in <c>ReleaseGateway.Problems.ErrorCodes</c>).</summary>
public static class ReleaseErrors
{
    public static RequestError BudgetExhausted(string detail, string state) => new("RG3001", 409, "Privacy budget exhausted", detail, state);

    public static RequestError ReleaseNotFound(Guid releaseId) => new("RG3002", 404, "Release not found", $"No release {releaseId}.");

    public static RequestError NoArtifact(Guid releaseId, string name, IEnumerable<string> names) =>
        new("RG3002", 404, "Release not found", $"Release {releaseId} has no artifact '{name}' (it has: {string.Join(", ", names)}).");

    public static RequestError NoLongerAvailable(string detail) => new("RG3003", 410, "Release no longer available", detail);

    public static RequestError NotAllowedToDownload() => new("RG3004", 403, "Not allowed to download",
        "Only the researcher who requested this release, committee members and compliance officers may download it.");

    public static RequestError NotPublished(Guid releaseId, string status) =>
        new("RG3005", 409, "Release not published", $"Release {releaseId} is {status}; only published releases can be downloaded, revoked or expired.");
}
