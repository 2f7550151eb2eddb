using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Privacy.Sampling;

/// <summary>Row indices of a train/holdout split, each ascending.</summary>
/// <param name="Train">Rows the synthesizer may see.</param>
/// <param name="Holdout">Rows kept back for the committee's evaluation.</param>
public sealed record SplitRows(int[] Train, int[] Holdout);

/// <summary>
/// The secret Poisson split: every unit (a person when a person id per row is given, else a row) goes to the holdout
/// independently with probability f, by its own keyed coin (<see cref="KeyedCoin"/>); a person's rows stay together.
/// </summary>
/// <remarks>
/// <para>Privacy: with the coins secret, the training part is a Poisson subsample of the units with sampling rate
/// q = 1 − f. A mechanism M that is (ε, δ)-DP (or ρ-zCDP) per unit, run on that subsample, is DP with respect to the
/// whole table with no worse parameters: adding or removing a unit either leaves the sample unchanged (probability f)
/// or changes it by that unit, so the amplified guarantee is (log(1 + q(e^ε − 1)), qδ) ≤ (ε, δ)
/// (Balle, Barthe and Gaboardi, "Privacy amplification by subsampling", NeurIPS 2018, Poisson subsampling
/// under add/remove-one). We charge M's own guarantee and do not claim the amplification.</para>
/// <para>The split is not DP by itself and is never published: a fixed-size shuffle under a published seed moved ~8 %
/// of rows between the sides when one row was added (issue 14). Here the coins are independent across units, so a
/// unit's side does not depend on the other rows; the same key and table always give the same split (resumable
/// evaluation).</para>
/// </remarks>
public static class PoissonSplit
{
    /// <summary>Splits rows 0..<paramref name="rowCount"/>−1.</summary>
    /// <param name="rowCount">Number of rows.</param>
    /// <param name="holdoutFraction">f in [0, 1): each unit's probability of landing in the holdout.</param>
    /// <param name="coin">Secret coin (purpose <see cref="RandomPurpose.Split"/> of the attempt key).</param>
    /// <param name="personIds">Dense person id per row (index = row), or null when the unit is the row.</param>
    public static SplitRows Split(int rowCount, double holdoutFraction, KeyedCoin coin, IReadOnlyList<int>? personIds = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        return Split(Enumerable.Range(0, rowCount).ToArray(), holdoutFraction, coin, personIds);
    }

    /// <summary>Splits the given rows (e.g. those kept by <see cref="ContributionBounding"/>).</summary>
    /// <param name="rows">Row indices to split, each at most once.</param>
    /// <param name="holdoutFraction">f in [0, 1): each unit's probability of landing in the holdout.</param>
    /// <param name="coin">Secret coin (purpose <see cref="RandomPurpose.Split"/> of the attempt key).</param>
    /// <param name="personIds">Dense person id per row of the whole table (index = row), or null when the unit is the row.</param>
    public static SplitRows Split(IReadOnlyList<int> rows, double holdoutFraction, KeyedCoin coin, IReadOnlyList<int>? personIds = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(coin);
        if (!(holdoutFraction >= 0 && holdoutFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(holdoutFraction), holdoutFraction, "the holdout fraction must be in [0, 1)");
        }

        var train = new List<int>(rows.Count);
        var holdout = new List<int>();
        foreach (int row in rows.Order())
        {
            long unit = personIds is null ? row : personIds[row];
            (coin.Uniform(unit) < holdoutFraction ? holdout : train).Add(row);
        }

        return new SplitRows([.. train], [.. holdout]);
    }
}
