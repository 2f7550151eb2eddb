namespace ReleaseGateway.Synthesis.Models;

/// <summary>
/// A noisy linear measurement of one marginal: the marginal over <see cref="Attributes"/> (fine
/// cells) is aggregated into coarse cells by <see cref="CellMap"/> and observed as
/// <see cref="Values"/> with independent noise of variance 1 / <see cref="Weights"/>[c] per coarse
/// cell. Everything here is already differentially private (noise added), so estimation from
/// measurements is post-processing.
/// </summary>
/// <param name="Attributes">Ascending attribute indices.</param>
/// <param name="CellMap">For each fine cell of the marginal, its coarse cell.</param>
/// <param name="Values">Noisy counts of the coarse cells.</param>
/// <param name="Weights">Inverse noise variance of each coarse cell (1 / sigma^2 for a plain measurement).</param>
/// <param name="Label">Human-readable description for logs and the accounting record.</param>
public sealed record Measurement(int[] Attributes, int[] CellMap, double[] Values, double[] Weights, string Label)
{
    /// <summary>Noisy total implied by this measurement and its variance (sum of cell variances).</summary>
    public (double Total, double Variance) Total() => (Values.Sum(), Weights.Sum(w => 1 / w));
}
