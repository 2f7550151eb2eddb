using ReleaseGateway.Privacy.Randomness;
using System.Globalization;
using ReleaseGateway.Evaluation.Statistics;
using ReleaseGateway.Evaluation.Tables;

namespace ReleaseGateway.Evaluation.Attacks;

/// <summary>Comparison in one term of a singling-out predicate.</summary>
public enum PredicateOperator
{
    /// <summary>value = v.</summary>
    Equal,

    /// <summary>value ≠ v.</summary>
    NotEqual,

    /// <summary>value ≤ v.</summary>
    AtMost,

    /// <summary>value ≥ v.</summary>
    AtLeast,

    /// <summary>value &lt; v.</summary>
    Below,

    /// <summary>value &gt; v.</summary>
    Above,

    /// <summary>value is missing.</summary>
    Missing,

    /// <summary>value is present.</summary>
    Present,
}

/// <summary>One term <c>column op value</c>; categorical values are codes. A missing value satisfies only <see cref="PredicateOperator.Missing"/>.</summary>
public readonly record struct PredicateTerm(int Column, PredicateOperator Operator, double Value)
{
    /// <summary>Whether row <paramref name="row"/> of <paramref name="column"/> (this term's column) satisfies the term.</summary>
    public bool Matches(EvalColumn column, int row)
    {
        double v;
        if (column.Kind == ValueKind.Categorical)
        {
            var code = column.Codes[row];
            if (code < 0)
            {
                return Operator == PredicateOperator.Missing;
            }

            v = code;
        }
        else
        {
            v = column.Values[row];
            if (double.IsNaN(v))
            {
                return Operator == PredicateOperator.Missing;
            }
        }

        return Operator switch
        {
            PredicateOperator.Missing => false,
            PredicateOperator.Present => true,
            PredicateOperator.Equal => v == Value,
            PredicateOperator.NotEqual => v != Value,
            PredicateOperator.AtMost => v <= Value,
            PredicateOperator.AtLeast => v >= Value,
            PredicateOperator.Below => v < Value,
            _ => v > Value,
        };
    }
}

/// <summary>Outcome of a singling-out evaluation.</summary>
/// <param name="Mode">"univariate" or "multivariate".</param>
/// <param name="Risk">Residual risk with its interval.</param>
/// <param name="Requested">Attacks requested.</param>
/// <param name="Generated">Distinct predicates that single out one synthetic record (the attacks actually made).</param>
public sealed record SinglingOutResult(string Mode, PrivacyRisk Risk, int Requested, int Generated);

/// <summary>
/// Singling out with Anonymeter's definitions (Giomi et al. 2023, §4.1; Cohen &amp; Nissim 2020): the
/// attacker writes predicates that match exactly one synthetic record and claims each isolates one real
/// person. Univariate predicates use one rare value, the minimum or the maximum of a column;
/// multivariate predicates take a random synthetic record and <c>n</c> random columns (numeric: ≥ the
/// value when above the column median, else ≤; categorical: =). The naive baseline draws random
/// predicates over observed values with random operators.
/// <para>
/// Success on a set is "matches exactly one record". Whether a predicate singles out depends on the
/// size of the set, and the holdout is smaller than the training set, so the control count is rescaled to
/// the training-set size by an empirical-Bayes estimate whose bootstrap error widens the risk's interval
/// (<see cref="ControlSizeCorrection"/>; ADR 0008).
/// </para>
/// </summary>
public static class SinglingOut
{
    // Bootstrap resamples of the control rows behind the interval of the size-corrected control count.
    private const int ControlBootstrap = 100;

    /// <summary>Univariate singling out with <paramref name="attacks"/> predicates at most.</summary>
    public static SinglingOutResult Univariate(AttackData data, IReadOnlyList<int> columns, int attacks, IRandomSource random, CancellationToken cancellationToken)
    {
        Check(data, columns, attacks, random);
        var synthetic = data.Synthetic;
        var candidates = new List<PredicateTerm[]>();
        foreach (var c in columns)
        {
            var column = synthetic.Columns[c];
            if (Enumerable.Range(0, synthetic.RowCount).Count(column.IsMissing) == 1)
            {
                candidates.Add([new PredicateTerm(c, PredicateOperator.Missing, 0)]);
            }

            var counts = new Dictionary<double, int>();
            for (var r = 0; r < synthetic.RowCount; r++)
            {
                if (!column.IsMissing(r))
                {
                    var v = column.Kind == ValueKind.Categorical ? column.Codes[r] : column.Values[r];
                    counts[v] = counts.GetValueOrDefault(v) + 1;
                }
            }

            if (counts.Count == 0)
            {
                continue;
            }

            if (column.Kind == ValueKind.Numeric)
            {
                candidates.Add([new PredicateTerm(c, PredicateOperator.AtMost, counts.Keys.Min())]);
                candidates.Add([new PredicateTerm(c, PredicateOperator.AtLeast, counts.Keys.Max())]);
            }

            candidates.AddRange(counts.Where(kv => kv.Value == 1).Select(kv => new[] { new PredicateTerm(c, PredicateOperator.Equal, kv.Key) }));
        }

        var shuffled = candidates.ToArray();
        random.Shuffle(shuffled);
        var queries = KeepSinglingOut(synthetic, shuffled, attacks, cancellationToken);
        return Evaluate("univariate", data, columns, queries, attacks, 1, random, cancellationToken);
    }

    /// <summary>Multivariate singling out: up to <paramref name="attacks"/> predicates over <paramref name="termsPerPredicate"/> columns, at most <paramref name="maxAttempts"/> candidates tried.</summary>
    public static SinglingOutResult Multivariate(AttackData data, IReadOnlyList<int> columns, int attacks, int termsPerPredicate, int maxAttempts, IRandomSource random, CancellationToken cancellationToken)
    {
        Check(data, columns, attacks, random);
        var found = MultivariatePredicates(data.Synthetic, columns, attacks, termsPerPredicate, maxAttempts, random, cancellationToken);
        return Evaluate("multivariate", data, columns, found, attacks, Math.Min(termsPerPredicate, columns.Count), random, cancellationToken);
    }

    /// <summary>
    /// Anonymeter's multivariate predicates: a random synthetic record and <paramref name="termsPerPredicate"/> random
    /// columns (numeric: ≥ the value when above the column median, else ≤; categorical: =), kept when they match exactly
    /// one synthetic record; distinct, at most <paramref name="count"/>, from at most <paramref name="maxAttempts"/> tries.
    /// </summary>
    public static List<PredicateTerm[]> MultivariatePredicates(EvalTable synthetic, IReadOnlyList<int> columns, int count, int termsPerPredicate, int maxAttempts, IRandomSource random, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(synthetic);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(termsPerPredicate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        var terms = Math.Min(termsPerPredicate, columns.Count);
        var medians = columns.ToDictionary(c => c, c => Median(synthetic.Columns[c]));
        var found = new List<PredicateTerm[]>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        const int batch = 1000;
        for (var attempts = 0; attempts < maxAttempts && found.Count < count; attempts += batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var candidates = new PredicateTerm[Math.Min(batch, maxAttempts - attempts)][];
            for (var i = 0; i < candidates.Length; i++)
            {
                var row = random.NextInt(synthetic.RowCount);
                var chosen = columns.ToArray();
                random.Shuffle(chosen);
                candidates[i] = chosen[..terms].Order().Select(c => FromRecord(synthetic, row, c, medians[c])).ToArray();
            }

            foreach (var q in KeepSinglingOut(synthetic, candidates, int.MaxValue, cancellationToken))
            {
                if (found.Count < count && seen.Add(Key(q)))
                {
                    found.Add(q);
                }
            }
        }

        return found;
    }

    /// <summary>Number of rows of <paramref name="table"/> matching every term, stopping early once it exceeds <paramref name="stopAbove"/>.</summary>
    public static int Count(EvalTable table, IReadOnlyList<PredicateTerm> predicate, int stopAbove = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(predicate);
        var columns = predicate.Select(t => table.Columns[t.Column]).ToArray();
        var terms = predicate.ToArray();
        var count = 0;
        for (var r = 0; r < table.RowCount; r++)
        {
            var all = true;
            for (var t = 0; t < terms.Length; t++)
            {
                if (!terms[t].Matches(columns[t], r))
                {
                    all = false;
                    break;
                }
            }

            if (all && ++count > stopAbove)
            {
                return count;
            }
        }

        return count;
    }

    private static SinglingOutResult Evaluate(string mode, AttackData data, IReadOnlyList<int> columns, IReadOnlyList<PredicateTerm[]> queries, int requested, int baselineTerms, IRandomSource random, CancellationToken cancellationToken)
    {
        var n = queries.Count;
        if (n == 0)
        {
            // No predicate singles out a synthetic record, so the attacker has nothing to claim.
            return new SinglingOutResult(mode, PrivacyRisk.FromCounts(1, 0, 1, 0, 0), requested, 0);
        }

        var baselineQueries = RandomPredicates(data.Synthetic, columns, n, baselineTerms, random);
        var success = SinglesOut(data.Train, queries, cancellationToken);
        var baseline = SinglesOut(data.Train, baselineQueries, cancellationToken);
        if (data.Holdout.RowCount == data.Train.RowCount)
        {
            return new SinglingOutResult(mode, PrivacyRisk.FromCounts(n, success, n, SinglesOut(data.Holdout, queries, cancellationToken), baseline), requested, n);
        }

        var control = ExpectedControlSuccesses(data.Holdout, data.Train.RowCount, queries, random, cancellationToken);
        return new SinglingOutResult(mode, PrivacyRisk.FromCounts(n, success, n, control.Successes, baseline, controlStandardError: control.StandardError), requested, n);
    }

    /// <summary>
    /// Control successes rescaled to the training-set size n by the empirical-Bayes correction of
    /// <see cref="ControlSizeCorrection"/>, with its bootstrap standard error (ADR 0008).
    /// </summary>
    private static ControlSizeEstimate ExpectedControlSuccesses(EvalTable control, int trainRows, IReadOnlyList<PredicateTerm[]> queries, IRandomSource random, CancellationToken cancellationToken)
    {
        var matches = new int[queries.Count][];
        Parallel.For(0, queries.Count, new ParallelOptions { CancellationToken = cancellationToken }, i => matches[i] = Matching(control, queries[i]));
        return ControlSizeCorrection.Estimate(matches, control.RowCount, trainRows, ControlBootstrap, random);
    }

    private static int[] Matching(EvalTable table, PredicateTerm[] predicate)
    {
        var columns = predicate.Select(t => table.Columns[t.Column]).ToArray();
        var rows = new List<int>();
        for (var r = 0; r < table.RowCount; r++)
        {
            var all = true;
            for (var t = 0; t < predicate.Length && all; t++)
            {
                all = predicate[t].Matches(columns[t], r);
            }

            if (all)
            {
                rows.Add(r);
            }
        }

        return [.. rows];
    }

    private static int SinglesOut(EvalTable table, IReadOnlyList<PredicateTerm[]> queries, CancellationToken cancellationToken)
    {
        var hits = 0;
        Parallel.For(0, queries.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            if (Count(table, queries[i], 1) == 1)
            {
                Interlocked.Increment(ref hits);
            }
        });
        return hits;
    }

    private static List<PredicateTerm[]> KeepSinglingOut(EvalTable synthetic, IReadOnlyList<PredicateTerm[]> candidates, int limit, CancellationToken cancellationToken)
    {
        var singles = new bool[candidates.Count];
        Parallel.For(0, candidates.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
            singles[i] = Count(synthetic, candidates[i], 1) == 1);
        var kept = new List<PredicateTerm[]>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < candidates.Count && kept.Count < limit; i++)
        {
            if (singles[i] && seen.Add(Key(candidates[i])))
            {
                kept.Add(candidates[i]);
            }
        }

        return kept;
    }

    private static PredicateTerm FromRecord(EvalTable table, int row, int c, double median)
    {
        var column = table.Columns[c];
        if (column.IsMissing(row))
        {
            return new PredicateTerm(c, PredicateOperator.Missing, 0);
        }

        if (column.Kind == ValueKind.Categorical)
        {
            return new PredicateTerm(c, PredicateOperator.Equal, column.Codes[row]);
        }

        var v = column.Values[row];
        return new PredicateTerm(c, v > median ? PredicateOperator.AtLeast : PredicateOperator.AtMost, v);
    }

    private static List<PredicateTerm[]> RandomPredicates(EvalTable synthetic, IReadOnlyList<int> columns, int count, int terms, IRandomSource random)
    {
        var values = columns.ToDictionary(c => c, c =>
        {
            var column = synthetic.Columns[c];
            return Enumerable.Range(0, synthetic.RowCount)
                .Select(r => column.IsMissing(r) ? double.NaN : column.Kind == ValueKind.Categorical ? column.Codes[r] : column.Values[r])
                .Distinct().ToArray();
        });
        var result = new List<PredicateTerm[]>(count);
        for (var i = 0; i < count; i++)
        {
            var chosen = columns.ToArray();
            random.Shuffle(chosen);
            result.Add(chosen[..Math.Min(terms, chosen.Length)].Select(c =>
            {
                var pool = values[c];
                var v = pool[random.NextInt(pool.Length)];
                if (double.IsNaN(v))
                {
                    return new PredicateTerm(c, random.NextInt(2) == 0 ? PredicateOperator.Missing : PredicateOperator.Present, 0);
                }

                PredicateOperator[] ops = synthetic.Columns[c].Kind == ValueKind.Categorical
                    ? [PredicateOperator.Equal, PredicateOperator.NotEqual]
                    : [PredicateOperator.Equal, PredicateOperator.NotEqual, PredicateOperator.Above, PredicateOperator.Below, PredicateOperator.AtLeast, PredicateOperator.AtMost];
                return new PredicateTerm(c, ops[random.NextInt(ops.Length)], v);
            }).ToArray());
        }

        return result;
    }

    private static double Median(EvalColumn column)
    {
        if (column.Kind == ValueKind.Categorical)
        {
            return 0;
        }

        var present = column.Values.Where(v => !double.IsNaN(v)).Order().ToArray();
        return present.Length == 0 ? 0 : present[present.Length / 2];
    }

    private static string Key(PredicateTerm[] predicate) =>
        string.Join('&', predicate.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Column}{t.Operator}{t.Value:R}")));

    private static void Check(AttackData data, IReadOnlyList<int> columns, int attacks, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(attacks, 1);
        if (columns.Count == 0)
        {
            throw new ArgumentException("At least one column is needed for singling out.", nameof(columns));
        }

        AttackData.RequireRows(data.Train, "training");
        AttackData.RequireRows(data.Holdout, "holdout");
        AttackData.RequireRows(data.Synthetic, "synthetic");
    }
}
