using ReleaseGateway.Evaluation.Tables;

namespace ReleaseGateway.Evaluation.Attacks;

/// <summary>
/// The population density p̂_ref of the density-ratio attack: a product of smooth one-dimensional
/// estimates fitted on reference (holdout) records, ln p̂_ref(x) = Σ_j ln p̂_j(x_j). Numeric columns use a
/// Gaussian kernel density with Silverman's (1986) bandwidth 1.06·σ·n^(−1/5); categorical columns use
/// frequencies with a Jeffreys ½ pseudo-count; missingness is a category of its own. A few hundred reference
/// rows estimate this stably, where a joint kernel density would be dominated by the single closest row.
/// </summary>
internal sealed class ReferenceDensity
{
    private readonly int[] columns;
    private readonly double[][] present;
    private readonly double[] bandwidths;
    private readonly double[] missingRates;
    private readonly double[][] categoryLog;

    private ReferenceDensity(int[] columns, double[][] present, double[] bandwidths, double[] missingRates, double[][] categoryLog)
    {
        this.columns = columns;
        this.present = present;
        this.bandwidths = bandwidths;
        this.missingRates = missingRates;
        this.categoryLog = categoryLog;
    }

    public static ReferenceDensity Fit(EvalTable reference, IReadOnlyList<int> columns)
    {
        var n = reference.RowCount;
        var present = new double[columns.Count][];
        var bandwidths = new double[columns.Count];
        var missing = new double[columns.Count];
        var categoryLog = new double[columns.Count][];
        for (var j = 0; j < columns.Count; j++)
        {
            var column = reference.Columns[columns[j]];
            if (column.Kind == ValueKind.Categorical)
            {
                var k = column.Spec.LevelCount + 1;
                var counts = new double[k];
                foreach (var code in column.Codes)
                {
                    counts[code < 0 ? k - 1 : code]++;
                }

                categoryLog[j] = counts.Select(c => Math.Log((c + 0.5) / (n + 0.5 * k))).ToArray();
                present[j] = [];
                continue;
            }

            present[j] = column.Values.Where(v => !double.IsNaN(v)).ToArray();
            var m = present[j].Length;
            missing[j] = (n - m + 0.5) / (n + 1.0);
            var mean = m == 0 ? 0 : present[j].Average();
            var sd = m < 2 ? 0 : Math.Sqrt(present[j].Sum(v => (v - mean) * (v - mean)) / (m - 1));
            // A constant column still needs a positive width; fall back to one unit.
            bandwidths[j] = sd > 0 ? 1.06 * sd * Math.Pow(m, -0.2) : 1.0;
            categoryLog[j] = [];
        }

        return new ReferenceDensity(columns.ToArray(), present, bandwidths, missing, categoryLog);
    }

    public double[] LogDensity(EvalTable targets, CancellationToken cancellationToken)
    {
        var result = new double[targets.RowCount];
        Parallel.For(0, targets.RowCount, new ParallelOptions { CancellationToken = cancellationToken }, r =>
        {
            var log = 0.0;
            for (var j = 0; j < columns.Length; j++)
            {
                var column = targets.Columns[columns[j]];
                if (column.Kind == ValueKind.Categorical)
                {
                    var code = column.Codes[r];
                    log += categoryLog[j][code < 0 ? categoryLog[j].Length - 1 : code];
                    continue;
                }

                var x = column.Values[r];
                if (double.IsNaN(x))
                {
                    log += Math.Log(missingRates[j]);
                    continue;
                }

                var h = bandwidths[j];
                var sum = 0.0;
                foreach (var v in present[j])
                {
                    var u = (x - v) / h;
                    sum += Math.Exp(-0.5 * u * u);
                }

                // Floor the kernel sum at the weight of one neighbour 8 bandwidths away, so that a value far outside
                // the reference data (or a column with no reference values) keeps a finite, very low density.
                var count = Math.Max(1, present[j].Length);
                var density = Math.Max(sum, Math.Exp(-0.5 * 64)) / (count * h * Math.Sqrt(2 * Math.PI));
                log += Math.Log(1 - missingRates[j]) + Math.Log(density);
            }

            result[r] = log;
        });
        return result;
    }
}
