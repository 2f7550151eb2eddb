using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Privacy.Sampling;

/// <summary>
/// Bounds each person's contribution to at most k rows, chosen by secret randomness: a person's rows are ordered by
/// their keyed coins (purpose <see cref="RandomPurpose.Bounding"/>) and the first k are kept.
/// </summary>
/// <remarks>
/// After bounding, adding or removing one person changes the table by at most k rows, so a mechanism that is
/// ρ-zCDP per row is k²ρ-zCDP per person (<see cref="Accounting.GroupPrivacy"/>) and a count has L1 sensitivity k per
/// person (Wilson, Zhang, Lam, Desfontaines, Simmons-Marengo and Gipson, "Differentially private SQL with bounded user
/// contribution", PETS 2020: each user's rows are capped before aggregation). The choice is random and secret
/// rather than, say, the first k visits: the coins are independent uniforms to anyone without the key, so each person's
/// kept rows are a uniformly random k-subset of their rows, independent of everyone else's. Coupling the coins of shared
/// rows, tables that differ in one person give bounded tables that differ only in that person's at most k rows.
/// </remarks>
public static class ContributionBounding
{
    /// <summary>The rows kept, ascending.</summary>
    /// <param name="personIds">Dense person id per row (index = row).</param>
    /// <param name="maxRowsPerPerson">k &gt;= 1.</param>
    /// <param name="coin">Secret coin (purpose <see cref="RandomPurpose.Bounding"/> of the attempt key).</param>
    public static int[] Bound(IReadOnlyList<int> personIds, int maxRowsPerPerson, KeyedCoin coin)
    {
        ArgumentNullException.ThrowIfNull(personIds);
        ArgumentNullException.ThrowIfNull(coin);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRowsPerPerson, 1);

        return Enumerable.Range(0, personIds.Count)
            .GroupBy(row => personIds[row])
            .SelectMany(person => person
                .Select(row => (Row: row, Coin: coin.Uniform(row)))
                .OrderBy(x => x.Coin)
                .ThenBy(x => x.Row)
                .Take(maxRowsPerPerson)
                .Select(x => x.Row))
            .Order()
            .ToArray();
    }
}
