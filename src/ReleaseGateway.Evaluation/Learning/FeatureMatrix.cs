using ReleaseGateway.Evaluation.Tables;

namespace ReleaseGateway.Evaluation.Learning;

/// <summary>
/// Dense design matrix for the evaluators' models: one-hot indicators for categorical columns
/// (a missing value is an all-zero row), standardised numeric columns with missing values set to the
/// mean (0) plus a missing indicator. The encoding is fitted once and applied to every table so that
/// models trained on synthetic data can score real records.
/// </summary>
public sealed class FeatureEncoder
{
    private readonly int[] columns;
    private readonly double[] means;
    private readonly double[] scales;
    private readonly int[] offsets;

    private FeatureEncoder(int[] columns, double[] means, double[] scales, int[] offsets, int width)
    {
        this.columns = columns;
        this.means = means;
        this.scales = scales;
        this.offsets = offsets;
        Width = width;
    }

    /// <summary>Number of features per row.</summary>
    public int Width { get; }

    /// <summary>Fits means and scales of numeric <paramref name="columns"/> on <paramref name="table"/>.</summary>
    public static FeatureEncoder Fit(EvalTable table, IReadOnlyList<int> columns)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(columns);
        var means = new double[columns.Count];
        var scales = new double[columns.Count];
        var offsets = new int[columns.Count];
        var width = 0;
        for (var j = 0; j < columns.Count; j++)
        {
            var column = table.Columns[columns[j]];
            offsets[j] = width;
            if (column.Kind == ValueKind.Categorical)
            {
                width += column.Spec.LevelCount;
                continue;
            }

            var present = column.Values.Where(v => !double.IsNaN(v)).ToArray();
            var mean = present.Length == 0 ? 0 : present.Average();
            var variance = present.Length == 0 ? 0 : present.Sum(v => (v - mean) * (v - mean)) / present.Length;
            means[j] = mean;
            scales[j] = variance > 0 ? Math.Sqrt(variance) : 1;
            width += 2;
        }

        return new FeatureEncoder(columns.ToArray(), means, scales, offsets, width);
    }

    /// <summary>Encodes the given rows (all rows when <paramref name="rows"/> is null) into a row-major matrix.</summary>
    public double[] Transform(EvalTable table, IReadOnlyList<int>? rows = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        var n = rows?.Count ?? table.RowCount;
        var x = new double[n * Width];
        for (var j = 0; j < columns.Length; j++)
        {
            var column = table.Columns[columns[j]];
            for (var i = 0; i < n; i++)
            {
                var r = rows?[i] ?? i;
                var baseIndex = i * Width + offsets[j];
                if (column.Kind == ValueKind.Categorical)
                {
                    var code = column.Codes[r];
                    if (code >= 0)
                    {
                        x[baseIndex + code] = 1;
                    }
                }
                else
                {
                    var v = column.Values[r];
                    if (double.IsNaN(v))
                    {
                        x[baseIndex + 1] = 1;
                    }
                    else
                    {
                        x[baseIndex] = (v - means[j]) / scales[j];
                    }
                }
            }
        }

        return x;
    }
}
