using System.Globalization;
using System.Net;
using System.Text;
using ReleaseGateway.Evaluation.Fidelity;
using ReleaseGateway.Evaluation.Gates;
using ScottPlot;

namespace ReleaseGateway.Evaluation.Reports;

/// <summary>
/// Self-contained HTML report for a release committee: verdict and gate table first, then plots
/// (per-column distributions, association heatmaps side by side, ROC curves of the membership attacks,
/// attribute-inference risk per secret) as inline SVG drawn by ScottPlot, then the detailed tables. No
/// script, stylesheet, font or image is fetched, so it reads the same offline.
/// </summary>
public static class HtmlReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Renders the report as one HTML document.</summary>
    public static string Render(EvaluationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Release evaluation</title><style>")
            .Append("body{font-family:sans-serif;margin:24px;color:#222;max-width:1240px}table{border-collapse:collapse;margin:8px 0 20px}")
            .Append("td,th{border:1px solid #bbb;padding:4px 8px;text-align:left;font-size:14px}th{background:#eee}")
            .Append(".pass{background:#d8f0d8}.fail{background:#f6d0d0}.na{background:#eee}.verdict{font-size:22px;padding:10px;display:inline-block}")
            .Append(".grid{display:flex;flex-wrap:wrap;gap:8px}.grid div{flex:0 0 auto}h2{margin-top:32px}</style></head><body>\n");
        html.Append("<h1>Release evaluation</h1>\n");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"verdict {(report.Passed ? "pass" : "fail")}\">{(report.Passed ? "PASSED: every gate holds" : "FAILED: the release must not leave the gateway")}</p>\n");
        html.Append(CultureInfo.InvariantCulture,
            $"<p>Rows: train {report.Rows.Train}, holdout {report.Rows.Holdout}, synthetic {report.Rows.Synthetic}; seed {report.Seed}; claimed ε {(report.ClaimedEpsilon is { } e ? Num(e) : "none")}, δ {report.Delta.ToString("G3", Invariant)}; started {report.StartedAt:u}, {report.DurationSeconds.ToString("0.0", Invariant)} s.</p>\n");

        html.Append("<h2>Gates</h2>\n<table><tr><th>Gate</th><th>Value</th><th>Estimate (95 % interval)</th><th>Rule</th><th>Status</th><th>Detail</th></tr>\n");
        foreach (var g in report.Gates)
        {
            var css = g.Status switch { GateStatus.Pass => "pass", GateStatus.Fail => "fail", _ => "na" };
            var estimate = g.Estimate is { } est
                ? Num(est) + (g.Lower is { } lo && g.Upper is { } up ? $" ({Num(lo)}–{Num(up)})" : string.Empty)
                : "—";
            var rule = GateCatalog.Find(g.Name)?.Rule(g.Threshold) ?? $"{g.Comparison} {Num(g.Threshold)}";
            html.Append(CultureInfo.InvariantCulture,
                $"<tr class=\"{css}\"><td>{E(GateCatalog.Title(g.Name))} <code>{E(g.Name)}</code></td><td>{(g.Value is { } v ? Num(v) : "—")}</td><td>{estimate}</td><td>{E(rule)}</td><td>{g.Status}</td><td>{E(g.Detail)}</td></tr>\n");
        }

        html.Append("</table>\n<h3>What the gates mean</h3>\n<dl>\n");
        foreach (var g in report.Gates)
        {
            if (GateCatalog.Find(g.Name) is { } gate)
            {
                html.Append(CultureInfo.InvariantCulture, $"<dt>{E(gate.Title)}</dt><dd>{E(gate.Explanation)} <em>Statistic:</em> {E(gate.Statistic)}.</dd>\n");
            }
        }

        html.Append("</dl>\n");
        if (report.Errors.Count > 0)
        {
            html.Append("<h2>Evaluator errors (gates fail closed)</h2>\n<table><tr><th>Evaluator</th><th>Error</th></tr>\n");
            foreach (var error in report.Errors)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr class=\"fail\"><td>{E(error.Evaluator)}</td><td>{E(error.Message)}</td></tr>\n");
            }

            html.Append("</table>\n");
        }

        AppendDistributions(html, report);
        AppendHeatmaps(html, report);
        AppendRoc(html, report);
        AppendAttributeRisks(html, report);
        AppendTables(html, report);
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static void AppendDistributions(StringBuilder html, EvaluationReport report)
    {
        if (report.Fidelity.Profiles is not { Count: > 0 } profiles)
        {
            return;
        }

        html.Append("<h2>Per-column distributions</h2>\n<p><span style=\"color:steelblue\">■</span> real (training) &nbsp; <span style=\"color:orange\">■</span> synthetic — share of rows per category, value or bin</p>\n<div class=\"grid\">\n");
        foreach (var profile in profiles)
        {
            var plot = new Plot();
            var n = profile.Labels.Count;
            var real = plot.Add.Bars(Enumerable.Range(0, n).Select(i => i - 0.2).ToArray(), profile.Real.ToArray());
            var syn = plot.Add.Bars(Enumerable.Range(0, n).Select(i => i + 0.2).ToArray(), profile.Synthetic.ToArray());
            real.Color = Colors.SteelBlue;
            syn.Color = Colors.Orange;
            foreach (var bar in real.Bars.Concat(syn.Bars))
            {
                bar.Size = 0.4;
            }

            // Label at most ~10 ticks so that long bin names stay legible.
            var step = Math.Max(1, (int)Math.Ceiling(n / 10.0));
            var ticks = Enumerable.Range(0, n).Where(i => i % step == 0).ToArray();
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                ticks.Select(i => (double)i).ToArray(), ticks.Select(i => Shorten(profile.Labels[i])).ToArray());
            plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
            plot.Axes.Margins(bottom: 0);
            plot.Title(profile.Column, 14);
            html.Append("<div>").Append(plot.GetSvgXml(400, 280)).Append("</div>\n");
        }

        html.Append("</div>\n");
    }

    private static void AppendHeatmaps(StringBuilder html, EvaluationReport report)
    {
        if (report.Fidelity.Associations is not { } a || a.Columns.Count < 2)
        {
            return;
        }

        html.Append(CultureInfo.InvariantCulture,
            $"<h2>Pairwise associations (Pearson r, Cramér's V, correlation ratio η)</h2>\n<p>Mean |difference| {Num(a.MeanAbsoluteDifference)}, max {Num(a.MaxAbsoluteDifference)}.</p>\n<div class=\"grid\">\n");
        foreach (var (title, matrix) in new[] { ("real (training)", a.Real), ("synthetic", a.Synthetic) })
        {
            var p = a.Columns.Count;
            var values = new double[p, p];
            for (var i = 0; i < p; i++)
            {
                for (var j = 0; j < p; j++)
                {
                    values[i, j] = matrix[i][j];
                }
            }

            var plot = new Plot();
            var heatmap = plot.Add.Heatmap(values);
            heatmap.Colormap = new ScottPlot.Colormaps.Turbo();
            heatmap.ManualRange = new ScottPlot.Range(-1, 1);
            heatmap.Extent = new CoordinateRect(0, p, 0, p);
            // Vector rectangles stay crisp in SVG, where a scaled bitmap would be blurred by the browser.
            heatmap.RenderStrategy = new ScottPlot.Plottables.Heatmap.RenderStrategies.Rectangles();
            plot.Add.ColorBar(heatmap);
            var positions = Enumerable.Range(0, p).Select(i => i + 0.5).ToArray();
            var names = a.Columns.Select(Shorten).ToArray();
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, names);
            plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, names.Reverse().ToArray());
            plot.Axes.SetLimits(0, p, 0, p);
            plot.Title(title, 14);
            html.Append("<div>").Append(plot.GetSvgXml(600, 560)).Append("</div>\n");
        }

        html.Append("</div>\n");
    }

    private static void AppendRoc(StringBuilder html, EvaluationReport report)
    {
        if (report.Privacy.Membership.Count == 0)
        {
            return;
        }

        var plot = new Plot();
        var diagonal = plot.Add.Scatter(new double[] { 0, 1 }, new double[] { 0, 1 }, Colors.Gray);
        diagonal.LegendText = "guessing";
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.MarkerSize = 0;
        var palette = new[] { Colors.Crimson, Colors.SteelBlue, Colors.DarkGreen };
        var k = 0;
        foreach (var m in report.Privacy.Membership)
        {
            var line = plot.Add.Scatter(m.RocFpr, m.RocTpr, palette[k++ % palette.Length]);
            line.LegendText = string.Create(Invariant, $"{m.Attack} (AUC {m.Auc:0.000})");
            line.MarkerSize = 0;
            line.LineWidth = 2;
        }

        plot.Axes.SetLimits(0, 1, 0, 1);
        plot.XLabel("false-positive rate (holdout flagged as member)");
        plot.YLabel("true-positive rate (training flagged)");
        plot.Title("Membership inference ROC", 14);
        plot.ShowLegend(Alignment.LowerRight);
        html.Append("<h2>Membership-inference ROC curves</h2>\n").Append(plot.GetSvgXml(560, 460)).Append('\n');
    }

    private static void AppendAttributeRisks(StringBuilder html, EvaluationReport report)
    {
        var results = report.Privacy.AttributeInference;
        if (results.Count == 0)
        {
            return;
        }

        var plot = new Plot();
        var n = results.Count;
        var nn = plot.Add.Bars(Enumerable.Range(0, n).Select(i => i - 0.2).ToArray(), results.Select(r => r.NearestNeighbour.Value).ToArray());
        var model = plot.Add.Bars(Enumerable.Range(0, n).Select(i => i + 0.2).ToArray(), results.Select(r => r.ModelBased.Value).ToArray());
        nn.LegendText = "nearest neighbour";
        model.LegendText = "model-based";
        nn.Color = Colors.SteelBlue;
        model.Color = Colors.Purple;
        foreach (var bar in nn.Bars.Concat(model.Bars))
        {
            bar.Size = 0.4;
        }

        var limit = plot.Add.HorizontalLine(report.Thresholds.MaxAttributeInferenceRisk, 2, Colors.Crimson, LinePattern.Dashed);
        limit.LegendText = "gate";
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, n).Select(i => (double)i).ToArray(), results.Select(r => Shorten(r.Secret)).ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.SetLimitsY(0, 1.05);
        plot.YLabel("risk");
        plot.Title("Attribute-inference risk per secret column", 14);
        plot.ShowLegend(Alignment.UpperRight);
        html.Append("<h2>Attribute-inference risk per column</h2>\n").Append(plot.GetSvgXml(Math.Max(560, 40 * n + 160), 400)).Append('\n');
    }

    private static void AppendTables(StringBuilder html, EvaluationReport report)
    {
        var p = report.Privacy;
        html.Append("<h2>Membership inference</h2>\n<table><tr><th>Attack</th><th>AUC (95 % CI)</th><th>TPR@1%FPR (95 % CI)</th><th>TPR@0.1%FPR</th><th>Advantage</th><th>ε lower bound</th><th>Members / non-members</th></tr>\n");
        foreach (var m in p.Membership)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{E(m.Attack)}</td><td>{Num(m.Auc)} ({Num(m.AucLower)}–{Num(m.AucUpper)})</td><td>{Num(m.TprAt1PctFpr)} ({Num(m.TprAt1PctFprLower)}–{Num(m.TprAt1PctFprUpper)})</td><td>{Num(m.TprAt01PctFpr)}</td><td>{Num(m.Advantage)}</td><td>{Num(m.Epsilon.LowerBound)}</td><td>{m.Members} / {m.NonMembers}</td></tr>\n");
        }

        html.Append("</table>\n");
        if (p.ShadowModel is { } s)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<p>Shadow models: {s.Targets.Count} targets, {s.GeneratorRuns} generator runs, {Num(s.SecondsPerShadowRun)} s per shadow run, {Num(s.SecondsPerTarget)} s per target, {Num(s.TotalSeconds)} s in total.</p>\n");
        }

        html.Append("<h2>Anonymeter-style risks</h2>\n<table><tr><th>Attack</th><th>Risk (95 % CI)</th><th>Attack / control / baseline success</th><th>Attacks</th></tr>\n");
        foreach (var so in p.SinglingOut)
        {
            html.Append(RiskRow($"singling out ({so.Mode})", so.Risk, $"{so.Generated} of {so.Requested}"));
        }

        if (p.Linkability is { } l)
        {
            html.Append(RiskRow($"linkability ({string.Join(", ", l.FirstColumns)} | {string.Join(", ", l.SecondColumns)})", l.Risk, l.Risk.Attacks.ToString(Invariant)));
        }

        foreach (var a in p.AttributeInference)
        {
            html.Append(RiskRow($"inference of {a.Secret} (nearest neighbour)", a.NearestNeighbour, a.NearestNeighbour.Attacks.ToString(Invariant)));
            html.Append(RiskRow($"inference of {a.Secret} (model)", a.ModelBased, a.ModelBased.Attacks.ToString(Invariant)));
        }

        html.Append("</table>\n");
        if (p.Reconstruction is { Count: > 0 } reconstruction)
        {
            html.Append("<h2>Reconstruction of sensitive columns (linear, from the release's counts)</h2>\n<table><tr><th>Secret</th><th>Accuracy, training records (95 % CI)</th><th>Accuracy, holdout records</th><th>Majority-class baseline</th><th>Risk (95 % CI)</th><th>TPR@1%FPR / @0.1%FPR as membership score</th><th>Queries / marginals</th></tr>\n");
            foreach (var r in reconstruction)
            {
                html.Append(CultureInfo.InvariantCulture,
                    $"<tr><td>{E(r.Secret)}</td><td>{Num(r.Accuracy.Value)} ({Num(r.Accuracy.Lower)}–{Num(r.Accuracy.Upper)})</td><td>{Num(r.ControlAccuracy.Value)} ({Num(r.ControlAccuracy.Lower)}–{Num(r.ControlAccuracy.Upper)})</td><td>{Num(r.BaselineAccuracy.Value)}</td><td>{Num(r.Risk.Value)} ({Num(r.Risk.Lower)}–{Num(r.Risk.Upper)})</td><td>{Num(r.Membership.TprAt1PctFpr)} / {Num(r.Membership.TprAt01PctFpr)}</td><td>{r.Queries} / {r.Marginals}</td></tr>\n");
            }

            html.Append("</table>\n<p>The attacker knows the quasi-identifiers of every record and solves the equations the release's counts impose on the sensitive column; accuracy on training records far above the holdout's and the baseline means the release pins individual values down.</p>\n");
        }

        var f = report.Fidelity;
        if (f.Tvd is { } tvd)
        {
            html.Append("<h2>Fidelity</h2>\n<table><tr><th>Marginals</th><th>Mean TVD</th><th>Max TVD</th><th>Count</th><th>Worst</th></tr>\n");
            foreach (var t in tvd)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{t.Way}-way</td><td>{Num(t.Mean)}</td><td>{Num(t.Max)}</td><td>{t.Marginals}</td><td>{E(string.Join(" × ", t.Worst))}</td></tr>\n");
            }

            html.Append("</table>\n");
        }

        if (f.Numeric is { Count: > 0 } numeric)
        {
            html.Append("<table><tr><th>Numeric column</th><th>KS</th><th>Wasserstein</th><th>Wasserstein / range</th><th>Missing-rate difference</th></tr>\n");
            foreach (var d in numeric)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(d.Column)}</td><td>{Num(d.KolmogorovSmirnov)}</td><td>{Num(d.Wasserstein)}</td><td>{Num(d.WassersteinNormalised)}</td><td>{Num(d.MissingRateDifference)}</td></tr>\n");
            }

            html.Append("</table>\n");
        }

        if (f.Discriminator is { } disc)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>Discriminator (random forest, real vs synthetic): AUC {Num(disc.Auc)} on held-out rows (0.5 = indistinguishable).</p>\n");
        }

        if (f.Tstr is { } tstr)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h2>Utility: train on synthetic, test on real (target {E(tstr.Target)}, {tstr.Classes} classes)</h2>\n<table><tr><th>Model</th><th>Real-trained balanced accuracy</th><th>Synthetic-trained</th><th>Ratio</th></tr>\n");
            foreach (var t in tstr.Scores)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(t.Model)}</td><td>{Num(t.RealScore)}</td><td>{Num(t.SyntheticScore)}</td><td>{Num(t.Ratio)}</td></tr>\n");
            }

            html.Append("</table>\n");
        }

        AppendSubgroups(html, f.Subgroups);
    }

    private static void AppendSubgroups(StringBuilder html, SubgroupReport? report)
    {
        if (report is null)
        {
            return;
        }

        html.Append("<h2>Subgroup fidelity</h2>\n");
        html.Append(CultureInfo.InvariantCulture,
            $"<p>Each row is one category of a protected attribute declared in the schema. <em>TVD</em> compares that subgroup's real training rows with the synthetic rows of the same category, averaged over pairs of columns (0 = identical, 1 = no overlap); the whole table's figure is {Num(report.WholeTvd2)}. <em>TSTR</em> tests the real-trained and synthetic-trained models on the subgroup's holdout rows (1 = the synthetic data serves the subgroup as well as the real data){(report.WholeTstrRatio is { } w ? $"; on the whole holdout it is {Num(w)}" : string.Empty)}. A <em>gap</em> is how much worse the subgroup fares than the whole table: positive TVD gaps and positive TSTR gaps mean the subgroup is reproduced worse. Subgroups with fewer than {report.MinimumRows} training or holdout rows are listed but not measured: their figures would be mostly sampling noise. Small subgroups show some gap even in a good release.</p>\n");
        if (report.WorstTvd2Group is { } worst)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>Worst subgroup by TVD: <strong>{E(worst)}</strong>, gap {Num(report.WorstTvd2Gap!.Value)}{(report.WorstTstrGroup is { } wt ? $"; worst by TSTR: <strong>{E(wt)}</strong>, gap {Num(report.WorstTstrGap!.Value)}" : string.Empty)}.</p>\n");
        }

        html.Append("<table><tr><th>Attribute</th><th>Category</th><th>Train / holdout / synthetic rows</th><th>2-way TVD</th><th>TVD gap</th><th>TSTR ratio</th><th>TSTR gap</th></tr>\n");
        foreach (var g in report.Groups)
        {
            string Cell(double? v) => v is { } x ? Num(x) : g.Measured ? "—" : "too small";
            html.Append(CultureInfo.InvariantCulture,
                $"<tr{(g.Measured ? string.Empty : " class=\"na\"")}><td>{E(g.Attribute)}</td><td>{E(g.Category)}</td><td>{g.TrainRows} / {g.HoldoutRows} / {g.SyntheticRows}</td><td>{Cell(g.Tvd2)}</td><td>{Cell(g.Tvd2Gap)}</td><td>{Cell(g.TstrRatio)}</td><td>{Cell(g.TstrGap)}</td></tr>\n");
        }

        html.Append("</table>\n");
    }

    private static string RiskRow(string name, Statistics.PrivacyRisk r, string attacks) =>
        string.Create(Invariant,
            $"<tr><td>{E(name)}</td><td>{Num(r.Value)} ({Num(r.Lower)}–{Num(r.Upper)})</td><td>{Num(r.AttackRate)} / {Num(r.ControlRate)} / {Num(r.BaselineRate)}</td><td>{E(attacks)}</td></tr>\n");

    private static string Shorten(string label) => label.Length <= 18 ? label : label[..17] + "…";

    private static string Num(double value) => double.IsFinite(value) ? value.ToString("0.###", Invariant) : value.ToString(Invariant);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
