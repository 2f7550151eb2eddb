using ReleaseGateway.Evaluation.Tables;

namespace ReleaseGateway.Evaluation.Fidelity;

/// <summary>Pairwise association matrices of the real and synthetic tables and their difference.</summary>
/// <param name="Columns">Column names (rows and columns of the matrices).</param>
/// <param name="Real">Associations in the real table.</param>
/// <param name="Synthetic">Associations in the synthetic table.</param>
/// <param name="MeanAbsoluteDifference">Mean of |real − synthetic| over column pairs.</param>
/// <param name="MaxAbsoluteDifference">Largest |real − synthetic| over column pairs.</param>
public sealed record AssociationComparison(IReadOnlyList<string> Columns, double[][] Real, double[][] Synthetic, double MeanAbsoluteDifference, double MaxAbsoluteDifference);

/// <summary>
/// Association between two columns: Pearson's r for two numeric columns (in [−1, 1]), Cramér's V (1946)
/// V = √(χ²/(n·(min(r, c) − 1))) for two categorical columns, and the correlation ratio η (Pearson 1903;
/// √ of the between-group share of variance) for a numeric and a categorical column (both in [0, 1]).
/// Rows with a missing value in either column are left out; a constant column has association 0.
/// </summary>
public static class Associations
{
    /// <summary>Compares the association matrices of <paramref name="real"/> and <paramref name="synthetic"/> over <paramref name="columns"/>.</summary>
    public static AssociationComparison Compare(EvalTable real, EvalTable synthetic, IReadOnlyList<int> columns)
    {
        ArgumentNullException.ThrowIfNull(real);
        ArgumentNullException.ThrowIfNull(synthetic);
        ArgumentNullException.ThrowIfNull(columns);
        var a = Matrix(real, columns);
        var b = Matrix(synthetic, columns);
        double sum = 0, max = 0;
        var pairs = 0;
        for (var i = 0; i < columns.Count; i++)
        {
            for (var j = i + 1; j < columns.Count; j++)
            {
                var d = Math.Abs(a[i][j] - b[i][j]);
                sum += d;
                max = Math.Max(max, d);
                pairs++;
            }
        }

        return new AssociationComparison(columns.Select(c => real.Columns[c].Name).ToArray(), a, b, pairs == 0 ? 0 : sum / pairs, max);
    }

    /// <summary>Symmetric association matrix with 1 on the diagonal.</summary>
    public static double[][] Matrix(EvalTable table, IReadOnlyList<int> columns)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(columns);
        var m = columns.Select(_ => new double[columns.Count]).ToArray();
        for (var i = 0; i < columns.Count; i++)
        {
            m[i][i] = 1;
            for (var j = i + 1; j < columns.Count; j++)
            {
                m[i][j] = m[j][i] = Pair(table.Columns[columns[i]], table.Columns[columns[j]]);
            }
        }

        return m;
    }

    /// <summary>Association of two columns as defined on <see cref="Associations"/>.</summary>
    public static double Pair(EvalColumn x, EvalColumn y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var rows = Enumerable.Range(0, x.Length).Where(r => !x.IsMissing(r) && !y.IsMissing(r)).ToArray();
        if (rows.Length < 2)
        {
            return 0;
        }

        return (x.Kind, y.Kind) switch
        {
            (ValueKind.Numeric, ValueKind.Numeric) => Pearson(rows.Select(r => x.Values[r]).ToArray(), rows.Select(r => y.Values[r]).ToArray()),
            (ValueKind.Categorical, ValueKind.Categorical) => CramersV(rows.Select(r => x.Codes[r]).ToArray(), rows.Select(r => y.Codes[r]).ToArray()),
            (ValueKind.Categorical, _) => CorrelationRatio(rows.Select(r => x.Codes[r]).ToArray(), rows.Select(r => y.Values[r]).ToArray()),
            _ => CorrelationRatio(rows.Select(r => y.Codes[r]).ToArray(), rows.Select(r => x.Values[r]).ToArray()),
        };
    }

    private static double Pearson(double[] a, double[] b)
    {
        double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }

        return saa <= 0 || sbb <= 0 ? 0 : sab / Math.Sqrt(saa * sbb);
    }

    private static double CramersV(int[] a, int[] b)
    {
        var rowsA = a.Distinct().ToArray();
        var rowsB = b.Distinct().ToArray();
        if (rowsA.Length < 2 || rowsB.Length < 2)
        {
            return 0;
        }

        var ia = rowsA.Select((v, i) => (v, i)).ToDictionary(p => p.v, p => p.i);
        var ib = rowsB.Select((v, i) => (v, i)).ToDictionary(p => p.v, p => p.i);
        var table = new double[rowsA.Length, rowsB.Length];
        for (var i = 0; i < a.Length; i++)
        {
            table[ia[a[i]], ib[b[i]]]++;
        }

        var n = (double)a.Length;
        var rowSums = Enumerable.Range(0, rowsA.Length).Select(i => Enumerable.Range(0, rowsB.Length).Sum(j => table[i, j])).ToArray();
        var colSums = Enumerable.Range(0, rowsB.Length).Select(j => Enumerable.Range(0, rowsA.Length).Sum(i => table[i, j])).ToArray();
        var chi2 = 0.0;
        for (var i = 0; i < rowsA.Length; i++)
        {
            for (var j = 0; j < rowsB.Length; j++)
            {
                var expected = rowSums[i] * colSums[j] / n;
                chi2 += (table[i, j] - expected) * (table[i, j] - expected) / expected;
            }
        }

        return Math.Sqrt(chi2 / (n * (Math.Min(rowsA.Length, rowsB.Length) - 1)));
    }

    private static double CorrelationRatio(int[] groups, double[] values)
    {
        var mean = values.Average();
        var total = values.Sum(v => (v - mean) * (v - mean));
        if (total <= 0)
        {
            return 0;
        }

        var between = values.Select((v, i) => (v, g: groups[i])).GroupBy(p => p.g)
            .Sum(g => g.Count() * Math.Pow(g.Average(p => p.v) - mean, 2));
        return Math.Sqrt(between / total);
    }
}
