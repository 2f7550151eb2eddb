using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;
using ReleaseGateway.Releases.Budget;

namespace ReleaseGateway.Web.Infrastructure;

/// <summary>
/// A dataset's budget ledger over time as inline SVG, drawn on the server (no script, no library, nothing fetched):
/// ε spent and ε committed (spent + reserved) as step lines against the cap, one marker per ledger event with its
/// details as a tooltip. Colours come from the style sheet's <c>chart-*</c> classes; the page shows the same numbers
/// as a table for readers who cannot see the chart.
/// </summary>
public static class LedgerChart
{
    private const double Width = 720, Height = 300, Left = 56, Right = 24, Top = 16, Bottom = 44;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static IHtmlContent Render(BudgetLedgerView ledger, string name, DateTimeOffset registeredAt, DateTimeOffset now)
    {
        var points = ledger.History;
        var end = points.Count > 0 && points[^1].At > now ? points[^1].At : now;
        // From the dataset's registration (its budget was whole then), not before: the dataset did not exist. The
        // ledger was empty until its first event, which is what the lines show there.
        var start = points.Count > 0 && points[0].At < registeredAt ? points[0].At : registeredAt;
        if (end - start < TimeSpan.FromMinutes(1)) start = end - TimeSpan.FromMinutes(1);
        var top = NiceCeiling(Math.Max(ledger.CapEpsilon, points.Count == 0 ? 0 : points.Max(p => p.EpsilonCommitted)) * 1.1);
        double X(DateTimeOffset t) => Left + (Width - Left - Right) * (t - start).TotalSeconds / Math.Max(1, (end - start).TotalSeconds);
        double Y(double epsilon) => Top + (Height - Top - Bottom) * (1 - epsilon / top);

        var svg = new StringBuilder();
        svg.Append(Invariant, $"<svg class=\"chart\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" ")
            .Append("aria-labelledby=\"ledger-chart-title ledger-chart-desc\" xmlns=\"http://www.w3.org/2000/svg\">")
            .Append(Invariant, $"<title id=\"ledger-chart-title\">Privacy budget of {E(name)} over time</title>")
            .Append(Invariant, $"<desc id=\"ledger-chart-desc\">ε spent {N(ledger.EpsilonSpent)} and committed {N(ledger.EpsilonCommitted)} of a cap of {N(ledger.CapEpsilon)} (δ = {ledger.CapDelta.ToString("G3", Invariant)}), after {points.Count} ledger events; the table below lists them.</desc>");

        // Grid and the ε axis.
        var step = NiceCeiling(top / 5);
        for (var v = 0.0; v <= top + 1e-9; v += step)
        {
            svg.Append(Invariant, $"<line class=\"chart-grid\" x1=\"{F(Left)}\" x2=\"{F(Width - Right)}\" y1=\"{F(Y(v))}\" y2=\"{F(Y(v))}\"/>")
                .Append(Invariant, $"<text class=\"chart-label\" x=\"{F(Left - 6)}\" y=\"{F(Y(v) + 4)}\" text-anchor=\"end\">{N(v)}</text>");
        }
        svg.Append(Invariant, $"<text class=\"chart-label\" x=\"12\" y=\"{F(Top + 10)}\">ε</text>");
        svg.Append(Invariant, $"<line class=\"chart-axis\" x1=\"{F(Left)}\" x2=\"{F(Left)}\" y1=\"{F(Top)}\" y2=\"{F(Height - Bottom)}\"/>")
            .Append(Invariant, $"<line class=\"chart-axis\" x1=\"{F(Left)}\" x2=\"{F(Width - Right)}\" y1=\"{F(Height - Bottom)}\" y2=\"{F(Height - Bottom)}\"/>");
        // The time axis: its start, now, and one tick between; to the second when the ledger is minutes old, so the labels differ.
        var seconds = end - start < TimeSpan.FromMinutes(10);
        foreach (var (t, anchor) in new[] { (start, "start"), (start + (end - start) / 2, "middle"), (end, "end") })
            svg.Append(Invariant, $"<text class=\"chart-label\" x=\"{F(X(t))}\" y=\"{F(Height - Bottom + 18)}\" text-anchor=\"{anchor}\">{(seconds ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", Invariant) : Display.Time(t))}</text>");

        svg.Append(Invariant, $"<line class=\"chart-cap\" x1=\"{F(Left)}\" x2=\"{F(Width - Right)}\" y1=\"{F(Y(ledger.CapEpsilon))}\" y2=\"{F(Y(ledger.CapEpsilon))}\"/>")
            .Append(Invariant, $"<text class=\"chart-label chart-cap-label\" x=\"{F(Width - Right)}\" y=\"{F(Y(ledger.CapEpsilon) - 6)}\" text-anchor=\"end\">cap ε = {N(ledger.CapEpsilon)}</text>");
        // Committed over spent: where nothing is reserved the two coincide, and the dashed line stays visible on the solid one.
        svg.Append(Invariant, $"<path class=\"chart-spent\" d=\"{Steps(points, p => p.EpsilonSpent, X, Y, start, end)}\"/>")
            .Append(Invariant, $"<path class=\"chart-committed\" d=\"{Steps(points, p => p.EpsilonCommitted, X, Y, start, end)}\"/>");
        foreach (var p in points)
        {
            svg.Append(Invariant, $"<circle class=\"chart-point\" cx=\"{F(X(p.At))}\" cy=\"{F(Y(p.EpsilonCommitted))}\" r=\"4\">")
                .Append(Invariant, $"<title>{Display.Time(p.At)}: {E(Display.Words(p.Event))}; spent ε = {N(p.EpsilonSpent)}, committed ε = {N(p.EpsilonCommitted)}</title></circle>");
        }
        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }

    private static string Steps(IReadOnlyList<LedgerPoint> points, Func<LedgerPoint, double> value, Func<DateTimeOffset, double> x, Func<double, double> y,
        DateTimeOffset start, DateTimeOffset end)
    {
        var d = new StringBuilder();
        var current = 0.0;
        d.Append(Invariant, $"M{F(x(start))},{F(y(0))}");
        foreach (var p in points)
        {
            d.Append(Invariant, $" H{F(x(p.At))}");
            current = value(p);
            d.Append(Invariant, $" V{F(y(current))}");
        }
        d.Append(Invariant, $" H{F(x(end))}");
        return d.ToString();
    }

    /// <summary>The smallest of 1, 2, 2.5 or 5 times a power of ten at or above <paramref name="value"/>.</summary>
    internal static double NiceCeiling(double value)
    {
        if (value <= 0) return 1;
        var power = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var m in new[] { 1, 2, 2.5, 5, 10 })
            if (m * power >= value - 1e-12) return m * power;
        return 10 * power;
    }

    private static string F(double v) => v.ToString("0.#", Invariant);

    private static string N(double v) => Display.Number(v);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
