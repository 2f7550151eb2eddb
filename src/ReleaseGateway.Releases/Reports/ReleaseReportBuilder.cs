using System.Globalization;
using System.Net;
using System.Text;

namespace ReleaseGateway.Releases.Reports;

/// <summary>
/// Builds the release report from exactly three inputs: the <see cref="SyntheticTable"/> (the release itself), the
/// synthesizer's <see cref="DpMeasurements"/> (already paid for) and the public <see cref="ReleaseFacts"/>. Every number in
/// it is a function of DP outputs and public configuration, so publishing it costs no budget (post-processing, Dwork &amp; Roth
/// 2014, Prop. 2.1). Deterministic: the same inputs give the same bytes, whatever the real table was.
/// </summary>
public static class ReleaseReportBuilder
{
    /// <summary>1-way marginals up to this many cells get per-cell shares with error bars; larger ones only their distance.</summary>
    public const int MaxCellsShown = 40;

    public static ReleaseReport Build(SyntheticTable synthetic, DpMeasurements measurements, ReleaseFacts facts)
    {
        var profiles = synthetic.Schema.SynthesisColumns.Select(c =>
        {
            var j = synthetic.IndexOf(c.Name);
            var counts = new double[c.DomainSize];
            foreach (var code in synthetic.Column(j)) counts[code]++;
            return new SyntheticProfile(c.Name, Enumerable.Range(0, c.DomainSize).Select(code => ReleaseReport.CodeLabel(c, code)).ToArray(),
                counts.Select(n => Share(n, synthetic.RowCount)).ToArray());
        }).ToArray();
        var fidelity = measurements.Marginals.Where(m => m.Columns.All(c => synthetic.ColumnNames.Contains(c)))
            .Select(m => Compare(synthetic, m)).ToArray();
        return new ReleaseReport(ReleaseReport.CurrentFormat, facts, facts.PrivacyStatement(), synthetic.RowCount,
            ReleaseReport.CodebookOf(synthetic.Schema), profiles, fidelity);
    }

    private static MarginalFidelity Compare(SyntheticTable synthetic, DpMarginal m)
    {
        var columns = m.Columns.Select(synthetic.IndexOf).ToArray();
        var cells = m.Values.Count;
        var counts = new double[cells];
        for (var row = 0; row < synthetic.RowCount; row++)
        {
            // Fine cell index over the measured columns in their order (last column fastest), as the synthesizer counts them.
            var fine = 0;
            foreach (var j in columns) fine = fine * synthetic.DomainSizes[j] + synthetic.Column(j)[row];
            counts[m.CellMap[fine]]++;
        }
        // Noisy counts can be negative; shares use the clipped counts and the noisy total (all post-processing).
        var noisy = m.Values.Select(v => Math.Max(0, v)).ToArray();
        var total = Math.Max(1, noisy.Sum());
        var tvd = 0.5 * Enumerable.Range(0, cells).Sum(c => Math.Abs(Share(counts[c], synthetic.RowCount) - noisy[c] / total));
        var noiseTvd = Math.Min(1, cells * m.Sigma * Math.Sqrt(2 / Math.PI) / (2 * total));
        IReadOnlyList<CellComparison>? shown = null;
        if (m.Columns.Count == 1 && cells <= MaxCellsShown)
        {
            var column = synthetic.Schema.SynthesisColumns.Single(c => c.Name == m.Columns[0]);
            shown = Enumerable.Range(0, cells).Select(c => new CellComparison(CellLabel(column, m.CellMap, c),
                Share(counts[c], synthetic.RowCount), noisy[c] / total, m.Sigma / total)).ToArray();
        }
        return new MarginalFidelity(m.Columns, m.Label, cells, m.Sigma, total, tvd, noiseTvd, shown);
    }

    private static string CellLabel(Datasets.Schema.ColumnSchema column, IReadOnlyList<int> cellMap, int cell)
    {
        var codes = Enumerable.Range(0, cellMap.Count).Where(f => cellMap[f] == cell).ToArray();
        if (codes.Length == 0) return "(empty)";
        var first = ReleaseReport.CodeLabel(column, codes[0]);
        return codes.Length == 1 ? first : $"{first} … {ReleaseReport.CodeLabel(column, codes[^1])}";
    }

    private static double Share(double count, int total) => total == 0 ? 0 : count / total;

    /// <summary>The report as one self-contained HTML page (no scripts, no external resources).</summary>
    public static string Html(ReleaseReport report)
    {
        var c = CultureInfo.InvariantCulture;
        var f = report.Facts;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Release report: ").Append(E(f.DatasetName))
            .Append("</title><style>body{font-family:sans-serif;max-width:60em;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}</style></head><body>\n");
        html.Append("<h1>Release report: ").Append(E(f.DatasetName)).Append("</h1>\n");
        html.Append("<h2>Privacy statement</h2>\n<p>").Append(E(report.PrivacyStatement)).Append("</p>\n");
        html.Append("<table><tbody>");
        Row(html, "release", f.ReleaseId.ToString("D"));
        Row(html, "generator", $"{f.Generator} ({f.GeneratorVersion})");
        Row(html, "ε, δ", string.Format(c, "{0:G4}, {1:G3}", f.Epsilon, f.Delta));
        Row(html, "privacy unit", f.Unit == ReleaseFacts.PerPerson ? string.Format(c, "person (at most {0} rows each)", f.MaxRowsPerPerson) : "row");
        if (f.BinningRho > 0)
            Row(html, "ρ: synthesis + DP binning + release check", string.Format(c, "{0:G4} + {1:G4} (on its own ε = {4:G3}) + {2:G4} = {3:G4}",
                f.SynthesisRho, f.BinningRho, f.GateRho, f.TotalRho, f.BinningEpsilon));
        else
            Row(html, "ρ: synthesis + release check", string.Format(c, "{0:G4} + {1:G4} = {2:G4}", f.SynthesisRho, f.GateRho, f.TotalRho));
        Row(html, "synthetic rows", report.SyntheticRows.ToString(c));
        Row(html, "access days", f.AccessDays.ToString(c));
        html.Append("</tbody></table>\n");

        html.Append("<h2>Data dictionary</h2>\n<table><thead><tr><th>column</th><th>type</th><th>role</th><th>missing allowed</th><th>codes</th></tr></thead><tbody>");
        foreach (var col in report.Codebook)
            html.Append("<tr><td>").Append(E(col.Name)).Append("</td><td>").Append(E(col.Type)).Append("</td><td>").Append(E(col.Role)).Append("</td><td>")
                .Append(col.AllowsMissing ? "yes" : "no").Append("</td><td>").Append(E(Abbreviate(col.Codes))).Append("</td></tr>");
        html.Append("</tbody></table>\n");

        html.Append("<h2>Fidelity to the synthesizer's noisy measurements</h2>\n<p>Total variation distance (TVD) between the synthetic table and each ")
            .Append("noisy marginal the synthesizer measured; \"noise alone\" is the distance the measurement noise by itself would cause. ")
            .Append("These measurements are DP: the comparison says nothing more about the real data than the release already does.</p>\n");
        html.Append("<table><thead><tr><th>marginal</th><th>cells</th><th>σ</th><th>TVD</th><th>noise alone</th></tr></thead><tbody>");
        foreach (var m in report.Fidelity)
            html.Append("<tr><td>").Append(E(m.Label)).Append("</td><td>").Append(m.Cells.ToString(c)).Append("</td><td>").Append(m.Sigma.ToString("G3", c))
                .Append("</td><td>").Append(m.Tvd.ToString("0.000", c)).Append("</td><td>").Append(m.NoiseTvd.ToString("0.000", c)).Append("</td></tr>");
        html.Append("</tbody></table>\n");
        foreach (var m in report.Fidelity.Where(m => m.CellShares is not null))
        {
            html.Append("<h3>").Append(E(m.Label)).Append("</h3>\n<table><thead><tr><th>cell</th><th>synthetic</th><th>noisy measurement ± σ</th></tr></thead><tbody>");
            foreach (var cell in m.CellShares!)
                html.Append("<tr><td>").Append(E(cell.Cell)).Append("</td><td>").Append(cell.Synthetic.ToString("0.000", c)).Append("</td><td>")
                    .Append(cell.Noisy.ToString("0.000", c)).Append(" ± ").Append(cell.NoisyError.ToString("0.000", c)).Append("</td></tr>");
            html.Append("</tbody></table>\n");
        }
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static void Row(StringBuilder html, string name, string value) =>
        html.Append("<tr><th>").Append(E(name)).Append("</th><td>").Append(E(value)).Append("</td></tr>");

    private static string Abbreviate(IReadOnlyList<string> codes) =>
        codes.Count <= 12 ? string.Join(", ", codes) : $"{string.Join(", ", codes.Take(5))}, … ({codes.Count} codes) …, {string.Join(", ", codes.TakeLast(3))}";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
