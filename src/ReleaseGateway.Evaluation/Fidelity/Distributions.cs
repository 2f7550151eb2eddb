using ReleaseGateway.Evaluation.Tables;

namespace ReleaseGateway.Evaluation.Fidelity;

/// <summary>Distances between the real and synthetic distributions of one numeric column.</summary>
/// <param name="Column">Column name.</param>
/// <param name="KolmogorovSmirnov">KS statistic sup_x |F_R(x) − F_S(x)| over present values, in [0, 1].</param>
/// <param name="Wasserstein">Earth mover's distance W₁ = ∫|F_R − F_S| dx, in the column's units.</param>
/// <param name="WassersteinNormalised">W₁ divided by the real range (for a constant real column: 0 if the synthetic column matches, else 1), comparable across columns.</param>
/// <param name="MissingRateDifference">|missing rate real − missing rate synthetic|.</param>
public sealed record NumericColumnDistance(string Column, double KolmogorovSmirnov, double Wasserstein, double WassersteinNormalised, double MissingRateDifference);

/// <summary>Univariate distances between empirical distributions.</summary>
public static class Distributions
{
    /// <summary>KS and Wasserstein-1 distances between the present values of a real and a synthetic numeric column.</summary>
    public static NumericColumnDistance Compare(EvalColumn real, EvalColumn synthetic)
    {
        ArgumentNullException.ThrowIfNull(real);
        ArgumentNullException.ThrowIfNull(synthetic);
        if (real.Kind != ValueKind.Numeric || synthetic.Kind != ValueKind.Numeric)
        {
            throw new ArgumentException($"Column '{real.Name}' is not numeric.");
        }

        var a = real.Values.Where(v => !double.IsNaN(v)).Order().ToArray();
        var b = synthetic.Values.Where(v => !double.IsNaN(v)).Order().ToArray();
        var missing = Math.Abs(MissingRate(real) - MissingRate(synthetic));
        if (a.Length == 0 || b.Length == 0)
        {
            // One side has no values at all: the distributions share nothing.
            var none = a.Length == b.Length ? 0.0 : 1.0;
            return new NumericColumnDistance(real.Name, none, 0, none, missing);
        }

        double ks = 0, w = 0;
        int i = 0, j = 0;
        var x = Math.Min(a[0], b[0]);
        while (i < a.Length || j < b.Length)
        {
            var next = Math.Min(i < a.Length ? a[i] : double.PositiveInfinity, j < b.Length ? b[j] : double.PositiveInfinity);
            var gap = Math.Abs(i / (double)a.Length - j / (double)b.Length);
            w += gap * (next - x);
            x = next;
            while (i < a.Length && a[i] == next)
            {
                i++;
            }

            while (j < b.Length && b[j] == next)
            {
                j++;
            }

            ks = Math.Max(ks, Math.Abs(i / (double)a.Length - j / (double)b.Length));
        }

        var range = a[^1] - a[0];
        // A constant real column has no scale: any spread in the synthetic column counts as the maximal distance.
        return new NumericColumnDistance(real.Name, ks, w, range > 0 ? w / range : (w > 0 ? 1 : 0), missing);
    }

    private static double MissingRate(EvalColumn column) =>
        column.Length == 0 ? 0 : Enumerable.Range(0, column.Length).Count(column.IsMissing) / (double)column.Length;
}
