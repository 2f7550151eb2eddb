using ReleaseGateway.Releases.Artifacts;
using ReleaseGateway.Releases.Reports;

namespace ReleaseGateway.Releases.Pipeline;

/// <summary>Reads a generation's DP measurements back from the artifact store.</summary>
public static class StoredMeasurements
{
    /// <summary>The stored measurements, or <see cref="DpMeasurements.None"/> when the generation stored none (neural generators, older attempts).</summary>
    public static async Task<DpMeasurements> LoadAsync(ArtifactStore artifacts, ReleaseArtifact? stored, CancellationToken ct)
    {
        if (stored is null) return DpMeasurements.None;
        await using var stream = await artifacts.OpenVerifiedAsync(stored.Sha256, ct);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, ct);
        return DpMeasurements.Parse(copy.ToArray());
    }
}
