using ReleaseGateway.Synthesis.Models;

namespace ReleaseGateway.Synthesis.Synthesizers;

/// <summary>
/// AIM's model-size cap on the junction-tree path (McKenna et al. 2022, arXiv 2201.12677, Sec. 4; ADR 0035): a candidate
/// marginal is admitted only if the junction tree of the selected cliques plus the candidate holds at most
/// <see cref="SynthesisTuning.ModelCellCap"/> × (share of ρ spent) cells, so early, noisy rounds cannot commit to large
/// cliques. Never below the current tree, so re-measuring inside it stays possible. Decided from the domain and the
/// selected structure only (public and DP), so it is post-processing.
/// </summary>
internal static class ModelSizeCap
{
    /// <summary>The cap in cells after <paramref name="shareSpent"/> (0–1) of the rounds' ρ, for a current tree of <paramref name="currentCells"/> cells.</summary>
    public static double Cap(double shareSpent, double currentCells) => Math.Max(SynthesisTuning.ModelCellCap * shareSpent, currentCells);

    /// <summary>Whether <paramref name="candidate"/> may be measured next: it lies in a clique of <paramref name="current"/>, or the tree with it added fits <paramref name="cap"/>.</summary>
    public static bool Admits(int attributeCount, IEnumerable<int[]> selected, int[] candidate, IReadOnlyList<int> domain, JunctionTree current, double cap) =>
        current.FindContaining(candidate) >= 0 || JunctionTree.Build(attributeCount, selected.Append(candidate), domain).CellCount(domain) <= cap;
}
