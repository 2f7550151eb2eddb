namespace ReleaseGateway.Privacy.Accounting;

/// <summary>
/// log(1 + x) and exp(x) - 1 accurate near 0 (the BCL's <c>double.LogP1</c>/<c>ExpM1</c> compute
/// <c>Log(x + 1)</c> and <c>Exp(x) - 1</c>, which lose all digits for tiny x). Goldberg's corrections
/// ("What every computer scientist should know about floating-point arithmetic", 1991, Theorem 4)
/// and Kahan's expm1 trick.
/// </summary>
internal static class RdpNumerics
{
    public static double Log1P(double x)
    {
        double u = 1 + x;
        return u == 1 ? x : Math.Log(u) * x / (u - 1);
    }

    public static double ExpM1(double x)
    {
        if (Math.Abs(x) > 0.5)
        {
            return Math.Exp(x) - 1;
        }

        double u = Math.Exp(x);
        return u == 1 ? x : (u - 1) * x / Math.Log(u);
    }
}
