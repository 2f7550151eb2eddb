using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Evaluation.Statistics;
using ReleaseGateway.Evaluation.Tables;

namespace ReleaseGateway.Evaluation.Attacks;

/// <summary>Outcome of the linkability attack.</summary>
/// <param name="Risk">Residual risk with its interval.</param>
/// <param name="FirstColumns">Columns held by the first party.</param>
/// <param name="SecondColumns">Columns held by the second party.</param>
/// <param name="Neighbours">Neighbours compared per side.</param>
/// <param name="TieBreak">How equally distant synthetic records were ordered; reports made before the random tie-break
/// (which took the lowest row index on both sides) read <c>lowest index</c>.</param>
public sealed record LinkabilityResult(PrivacyRisk Risk, IReadOnlyList<string> FirstColumns, IReadOnlyList<string> SecondColumns, int Neighbours, string TieBreak = "lowest index")
{
    /// <summary>The tie-break this version uses (ADR 0008).</summary>
    public const string RandomTieBreak = "at random (keyed rank per target and half)";
}

/// <summary>
/// Linkability with Anonymeter's definitions (Giomi et al. 2023, §4.2): two parties each hold some of
/// a target's columns; the attacker looks up the <c>k</c> nearest synthetic records (Gower distance) of each
/// half and declares a link when the two neighbour sets share a record. Run on training and on holdout
/// targets; the naive baseline draws both neighbour sets at random.
/// </summary>
public static class Linkability
{
    /// <summary>Runs the attack with <paramref name="attacks"/> targets per set and <paramref name="neighbours"/> neighbours per side.</summary>
    public static LinkabilityResult Run(AttackData data, IReadOnlyList<int> first, IReadOnlyList<int> second, int attacks, int neighbours, IRandomSource random, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(attacks, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(neighbours, 1);
        if (first.Count == 0 || second.Count == 0 || first.Intersect(second).Any())
        {
            throw new ArgumentException("Linkability needs two non-empty, disjoint column sets.");
        }

        AttackData.RequireRows(data.Train, "training");
        AttackData.RequireRows(data.Holdout, "holdout");
        AttackData.RequireRows(data.Synthetic, "synthetic");
        var k = Math.Min(neighbours, data.Synthetic.RowCount);
        var metricA = GowerMetric.Fit(first, data.Train, data.Holdout, data.Synthetic);
        var metricB = GowerMetric.Fit(second, data.Train, data.Holdout, data.Synthetic);
        // Ties are broken at random, afresh for every target and independently for the two halves (ADR 0008): on coded
        // columns most targets have more than k synthetic records at the k-th distance, and the lowest-index rule picked
        // the same tied records on both sides, which doubled the link counts of training and control targets alike.
        var synA = metricA.Encode(data.Synthetic);
        var synB = metricB.Encode(data.Synthetic);

        int Links(EvalTable table, int count)
        {
            var targets = table.Select(AttackData.Sample(table.RowCount, count, random));
            var tieA = random.NextUInt64();
            var tieB = random.NextUInt64();
            var a = metricA.Nearest(metricA.Encode(targets), synA, k, cancellationToken, tieKey: tieA);
            var b = metricB.Nearest(metricB.Encode(targets), synB, k, cancellationToken, tieKey: tieB);
            return Enumerable.Range(0, targets.RowCount).Count(i => Overlap(a.Indices.AsSpan(i * k, k), b.Indices.AsSpan(i * k, k)));
        }

        // Equal numbers of training and control targets keep the Wilson rates comparable.
        var n = Math.Min(attacks, Math.Min(data.Train.RowCount, data.Holdout.RowCount));
        var success = Links(data.Train, n);
        var control = Links(data.Holdout, n);
        var baseline = 0;
        for (var i = 0; i < n; i++)
        {
            var a = AttackData.Sample(data.Synthetic.RowCount, k, random);
            var b = AttackData.Sample(data.Synthetic.RowCount, k, random);
            baseline += Overlap(a, b) ? 1 : 0;
        }

        var names = (IReadOnlyList<int> cols) => cols.Select(c => data.Train.Columns[c].Name).ToArray();
        return new LinkabilityResult(PrivacyRisk.FromCounts(n, success, n, control, baseline), names(first), names(second), k, LinkabilityResult.RandomTieBreak);
    }

    private static bool Overlap(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        foreach (var x in a)
        {
            if (x >= 0 && b.Contains(x))
            {
                return true;
            }
        }

        return false;
    }
}
