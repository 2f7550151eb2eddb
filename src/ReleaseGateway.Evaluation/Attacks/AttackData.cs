using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Evaluation.Tables;

namespace ReleaseGateway.Evaluation.Attacks;

/// <summary>
/// The three tables every attack works on: training records (members, the targets), holdout records
/// (non-members and control group, never seen by the synthesizer) and the synthetic release. All three
/// share their column specifications.
/// </summary>
public sealed class AttackData
{
    /// <summary>Bundles the tables after checking they share columns; holdout and synthetic data may be empty only where stated by each attack.</summary>
    public AttackData(EvalTable train, EvalTable holdout, EvalTable synthetic)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(holdout);
        ArgumentNullException.ThrowIfNull(synthetic);
        train.EnsureCompatible(holdout, "holdout");
        train.EnsureCompatible(synthetic, "synthetic");
        Train = train;
        Holdout = holdout;
        Synthetic = synthetic;
    }

    /// <summary>Training records.</summary>
    public EvalTable Train { get; }

    /// <summary>Holdout (control) records.</summary>
    public EvalTable Holdout { get; }

    /// <summary>Synthetic records.</summary>
    public EvalTable Synthetic { get; }

    /// <summary>Indices of the columns evaluated at all (everything but direct identifiers).</summary>
    public int[] EvaluatedColumns() =>
        Enumerable.Range(0, Train.Columns.Count).Where(c => Train.Columns[c].Spec.Role != AttackRole.Identifier).ToArray();

    /// <summary>
    /// Columns the attacker knows: quasi-identifiers and targets. When the schema declares no roles
    /// (every column is a quasi-identifier), that is every column.
    /// </summary>
    public int[] KnownColumns() =>
        Enumerable.Range(0, Train.Columns.Count)
            .Where(c => Train.Columns[c].Spec.Role is AttackRole.QuasiIdentifier or AttackRole.Target)
            .ToArray();

    /// <summary>
    /// Secrets for attribute inference: the sensitive columns, or, when none is declared, every evaluated
    /// column in turn (the rule for the domain-file shorthand).
    /// </summary>
    public int[] SecretColumns()
    {
        var sensitive = Enumerable.Range(0, Train.Columns.Count).Where(c => Train.Columns[c].Spec.Role == AttackRole.Sensitive).ToArray();
        return sensitive.Length > 0 ? sensitive : EvaluatedColumns();
    }

    /// <summary>Checks that a table has rows, naming the failing input.</summary>
    internal static void RequireRows(EvalTable table, string name, int minimum = 1)
    {
        if (table.RowCount < minimum)
        {
            throw new InvalidOperationException($"The {name} table has {table.RowCount} rows; this attack needs at least {minimum}.");
        }
    }

    /// <summary>Up to <paramref name="count"/> distinct row indices drawn uniformly from 0..n−1.</summary>
    internal static int[] Sample(int n, int count, IRandomSource random)
    {
        count = Math.Min(count, n);
        if ((long)count * 4 < n)
        {
            // Few draws from many rows: rejection sampling costs O(count) instead of O(n).
            var chosen = new HashSet<int>();
            var result = new int[count];
            for (var i = 0; i < count;)
            {
                var r = random.NextInt(n);
                if (chosen.Add(r))
                {
                    result[i++] = r;
                }
            }

            return result;
        }

        // Partial Fisher–Yates: only the first 'count' positions need to be drawn.
        var all = Enumerable.Range(0, n).ToArray();
        for (var i = 0; i < count; i++)
        {
            var j = i + random.NextInt(n - i);
            (all[i], all[j]) = (all[j], all[i]);
        }

        return all[..count];
    }
}
