using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Evaluation.Attacks;
using ReleaseGateway.Evaluation.Tables;

namespace ReleaseGateway.Evaluation.Protocol;

/// <summary>
/// Reference generator that samples every column independently from its empirical 1-way marginal (the
/// "independent" column of shared/data/BASELINES.md). Not differentially private, but it keeps no link
/// between the columns of a record, so no attack should find more than chance: it is the calibration point
/// "passes the privacy gates" and a control generator for the shadow-model attack.
/// </summary>
public static class IndependentMarginals
{
    /// <summary>Draws <paramref name="rows"/> rows; each cell is a uniformly chosen value of the same column of <paramref name="source"/>.</summary>
    public static EvalTable Sample(EvalTable source, int rows, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if (source.RowCount == 0 && rows > 0)
        {
            throw new ArgumentException("Cannot sample rows from an empty table.", nameof(source));
        }

        var columns = new EvalColumn[source.Columns.Count];
        for (var c = 0; c < columns.Length; c++)
        {
            var column = source.Columns[c];
            var picks = new int[rows];
            for (var r = 0; r < rows; r++)
            {
                picks[r] = random.NextInt(source.RowCount);
            }

            columns[c] = column.Select(picks);
        }

        return new EvalTable(columns);
    }

    /// <summary>The sampler as a <see cref="SyntheticGenerator"/> producing as many rows as its input.</summary>
    public static SyntheticGenerator Generator { get; } =
        (training, seed, _) => Sample(training, training.RowCount, new SeededRandomSource(seed));
}
