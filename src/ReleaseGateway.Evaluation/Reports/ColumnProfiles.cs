using System.Globalization;
using ReleaseGateway.Evaluation.Tables;

namespace ReleaseGateway.Evaluation.Reports;

/// <summary>Builds <see cref="ColumnProfile"/>s: frequencies of a real and a synthetic column over shared categories or bins.</summary>
public static class ColumnProfiles
{
    /// <summary>Bins of a numeric profile.</summary>
    public const int NumericBins = 20;

    /// <summary>Most categories shown; rarer ones are pooled as "(other)".</summary>
    public const int MaxCategories = 30;

    /// <summary>
    /// Profile of one column: categorical levels (the <see cref="MaxCategories"/> most frequent real ones, the
    /// rest pooled); for a numeric column one bar per real value when it has at most <see cref="MaxCategories"/>,
    /// otherwise <see cref="NumericBins"/> equal-width bins over the real range (synthetic values beyond it fall
    /// into the end bins); missing values get a bar of their own when present.
    /// </summary>
    public static ColumnProfile Profile(EvalColumn real, EvalColumn synthetic)
    {
        ArgumentNullException.ThrowIfNull(real);
        ArgumentNullException.ThrowIfNull(synthetic);
        var anyMissing = Enumerable.Range(0, real.Length).Any(real.IsMissing) || Enumerable.Range(0, synthetic.Length).Any(synthetic.IsMissing);
        List<string> labels;
        Func<EvalColumn, int, int> bin;
        if (real.Kind == ValueKind.Categorical)
        {
            var counts = new int[real.Spec.LevelCount];
            foreach (var code in real.Codes.Where(c => c >= 0))
            {
                counts[code]++;
            }

            var shown = Enumerable.Range(0, counts.Length).OrderByDescending(c => counts[c]).ThenBy(c => c).Take(MaxCategories).Order().ToArray();
            var position = shown.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
            labels = shown.Select(c => real.Spec.Levels[c]).ToList();
            var other = shown.Length < counts.Length;
            if (other)
            {
                labels.Add("(other)");
            }

            bin = (column, r) => position.TryGetValue(column.Codes[r], out var i) ? i : shown.Length;
        }
        else
        {
            var present = real.Values.Where(v => !double.IsNaN(v)).ToArray();
            var distinct = present.Distinct().Order().ToArray();
            if (distinct.Length is > 0 and <= MaxCategories)
            {
                // Few distinct values (codes, counts, small integers): one bar per value; a synthetic value
                // takes the bar of the nearest real value.
                labels = distinct.Select(v => v.ToString("G4", CultureInfo.InvariantCulture)).ToList();
                bin = (column, r) => NearestIndex(distinct, column.Values[r]);
            }
            else
            {
                var lo = present.Length == 0 ? 0 : present.Min();
                var hi = present.Length == 0 ? 1 : present.Max();
                var width = hi > lo ? (hi - lo) / NumericBins : 1;
                var bins = hi > lo ? NumericBins : 1;
                labels = Enumerable.Range(0, bins)
                    .Select(b => string.Create(CultureInfo.InvariantCulture, $"{lo + b * width:G4}–{lo + (b + 1) * width:G4}")).ToList();
                bin = (column, r) => Math.Clamp((int)Math.Floor((column.Values[r] - lo) / width), 0, bins - 1);
            }
        }

        var valueBins = labels.Count;
        if (anyMissing)
        {
            labels.Add("(missing)");
        }

        double[] Frequencies(EvalColumn column)
        {
            var f = new double[labels.Count];
            for (var r = 0; r < column.Length; r++)
            {
                f[column.IsMissing(r) ? valueBins : bin(column, r)]++;
            }

            return column.Length == 0 ? f : f.Select(x => x / column.Length).ToArray();
        }

        return new ColumnProfile(real.Name, real.Kind == ValueKind.Numeric, labels, Frequencies(real), Frequencies(synthetic));
    }

    private static int NearestIndex(double[] sorted, double v)
    {
        var index = Array.BinarySearch(sorted, v);
        if (index >= 0)
        {
            return index;
        }

        index = ~index;
        if (index == 0 || index == sorted.Length)
        {
            return Math.Min(index, sorted.Length - 1);
        }

        return v - sorted[index - 1] <= sorted[index] - v ? index - 1 : index;
    }
}
