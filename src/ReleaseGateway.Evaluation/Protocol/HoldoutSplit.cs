using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Evaluation.Protocol;

/// <summary>A recorded split of row indices into a training part and a holdout part.</summary>
/// <param name="Train">Rows the synthesizer may see, in ascending order.</param>
/// <param name="Holdout">Rows it never sees (non-members, control group, real test set), in ascending order.</param>
/// <param name="Seed">Seed that reproduces the split.</param>
/// <param name="HoldoutFraction">Requested holdout fraction.</param>
public sealed record SplitIndices(int[] Train, int[] Holdout, int Seed, double HoldoutFraction);

/// <summary>
/// The evaluation protocol's first step: a seeded random split of the source table. The holdout
/// records are the non-members for membership inference, the control group for the other attacks
/// and the real test set for utility, so they must never reach the synthesizer.
/// </summary>
public static class HoldoutSplit
{
    /// <summary>Default holdout fraction (20 %).</summary>
    public const double DefaultHoldoutFraction = 0.2;

    /// <summary>
    /// Splits <paramref name="rowCount"/> rows: ⌊n·f⌉ rows go to the holdout, drawn uniformly without
    /// replacement by a Fisher–Yates shuffle seeded with <paramref name="seed"/> (the project's xoshiro256** <see cref="SeededRandomSource"/>,
    /// stable across .NET versions, unlike a seeded System.Random). When n ≥ 2 both parts keep at least one row; a single row
    /// stays in training.
    /// </summary>
    public static SplitIndices Split(int rowCount, double holdoutFraction, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        if (!(holdoutFraction > 0 && holdoutFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(holdoutFraction), "The holdout fraction must lie strictly between 0 and 1.");
        }

        var holdoutCount = (int)Math.Round(rowCount * holdoutFraction, MidpointRounding.AwayFromZero);
        if (rowCount >= 2)
        {
            holdoutCount = Math.Clamp(holdoutCount, 1, rowCount - 1);
        }
        else
        {
            holdoutCount = 0;
        }

        var order = Enumerable.Range(0, rowCount).ToArray();
        new SeededRandomSource(seed).Shuffle(order);
        var holdout = order[..holdoutCount];
        var train = order[holdoutCount..];
        Array.Sort(holdout);
        Array.Sort(train);
        return new SplitIndices(train, holdout, seed, holdoutFraction);
    }
}
