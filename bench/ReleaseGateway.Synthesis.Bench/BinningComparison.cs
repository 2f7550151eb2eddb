using System.Diagnostics;
using System.Globalization;
using System.Text;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Privacy.Mechanisms;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Synthesis.Marginals;
using ReleaseGateway.Synthesis.Synthesizers;

namespace ReleaseGateway.Synthesis.Bench;

/// <summary>One table's hand-made bins against DP bins (medians over seeds), scored on the shared disc coding.</summary>
internal sealed record BinningRow(string Table, int Rows, IReadOnlyList<string> Binned, int Seeds,
    double HandTvd2, double HandTvd3, double HandWall, double DpTvd2, double DpTvd3, double DpWall, double BinningRho);

/// <summary>
/// Hand-made bins vs DP bins (ADR 0036/0037) with the default synthesizer (AIM on forests). "Hand" is the shared disc
/// coding: numeric columns with more than 32 distinct values in 32 equal-width bins over their observed range. "DP"
/// places --dp-bins (default 32) bins of those columns by DP quantiles inside the same range (taken as the public bounds, so only the placing
/// differs), spends <see cref="ReleaseBudgetPlan.DefaultBinningShare"/> of ρ on it and synthesizes with the rest; its
/// synthetic values are drawn uniformly inside their DP bin (as the release's decoder does) and coded back onto the disc
/// bins, so both are scored by score.py against the same real disc table. Wall includes the DP quantiles.
/// </summary>
internal static class BinningComparison
{
    private const int Bins = 32;

    public static IReadOnlyList<BinningRow> Run(BenchOptions options, TextWriter log)
    {
        var results = new List<BinningRow>();
        double epsilon = options.Epsilons.Contains(1.0) ? 1.0 : options.Epsilons[0];
        foreach (string table in options.Tables)
        {
            string discCsv = Path.Combine(options.DataDirectory, table + "-disc.csv");
            string domain = Path.Combine(options.DataDirectory, table + "-domain.json");
            DatasetSchema schema = DatasetSchema.Load(domain);
            EncodedTable disc = CsvTableReader.Read(discCsv, schema);
            Dictionary<string, double[]> raw = ReadRawNumbers(Path.Combine(options.DataDirectory, table + ".csv"), disc.ColumnNames);
            string[] binned = disc.ColumnNames.Where(c => raw.TryGetValue(c, out double[]? v) && v.Where(x => !double.IsNaN(x)).Distinct().Count() > Bins).ToArray();
            if (binned.Length == 0)
            {
                log.WriteLine($"{table}: no column with more than {Bins} distinct numbers, skipped");
                continue;
            }

            var plan = ReleaseBudgetPlan.Create(epsilon, BenchOptions.Delta, 0, 1, perPerson: false, ReleaseBudgetPlan.DefaultBinningShare);
            var hand = new List<(double T2, double T3, double Wall)>();
            var dp = new List<(double T2, double T3, double Wall)>();
            for (int seed = options.FirstSeed; seed < options.FirstSeed + options.Seeds; seed++)
            {
                var stopwatch = Stopwatch.StartNew();
                // With a margin the steward's bounds are wider than the data: equal-width bins over them, decoded and coded
                // back onto the disc bins as the DP path is; without one the disc coding itself.
                Dictionary<string, double[]>? handEdges = options.BoundsMargin > 0
                    ? binned.ToDictionary(c => c, c => { (double lo, double hi) = Bounds(raw[c], options.BoundsMargin); return Enumerable.Range(0, Bins + 1).Select(i => lo + (hi - lo) * i / Bins).ToArray(); })
                    : null;
                EncodedTable handTable = handEdges is null ? disc : Recode(disc, raw, handEdges);
                SynthesisResult handRun = Synthesizer.Run(new TableMarginalSource(handTable), new SynthesisOptions { Method = SynthesisMethod.Aim, Epsilon = epsilon, Delta = BenchOptions.Delta, Seed = seed });
                double handWall = stopwatch.Elapsed.TotalSeconds;
                EncodedTable handOut = handEdges is null ? handRun.Table : BackToDisc(handRun.Table, disc, raw, handEdges, new SeededRandomSource(unchecked(seed * 31 + 7)));
                double[] handScore = Score(options, discCsv, domain, handOut);
                hand.Add((handScore[1], handScore[2], handWall));

                stopwatch.Restart();
                var random = new SeededRandomSource(unchecked(seed * 31 + 11));
                double perQuantile = DpQuantiles.EpsilonPerQuantile(plan.BinningRho, binned.Length * (options.DpBins - 1));
                var edges = binned.ToDictionary(c => c, c =>
                {
                    (double lo, double hi) = Bounds(raw[c], options.BoundsMargin);
                    return DpQuantiles.BinEdges(random, raw[c].Where(v => !double.IsNaN(v)).ToArray(), options.DpBins, lo, hi, perQuantile, 1);
                });
                EncodedTable dpTable = Recode(disc, raw, edges);
                SynthesisResult dpRun = Synthesizer.Run(new TableMarginalSource(dpTable),
                    new SynthesisOptions { Method = SynthesisMethod.Aim, Epsilon = epsilon, Delta = BenchOptions.Delta, Seed = seed, RhoPerRow = plan.SynthesisRhoPerRow });
                double dpWall = stopwatch.Elapsed.TotalSeconds;
                EncodedTable back = BackToDisc(dpRun.Table, disc, raw, edges, new SeededRandomSource(unchecked(seed * 31 + 7)));
                double[] dpScore = Score(options, discCsv, domain, back);
                dp.Add((dpScore[1], dpScore[2], dpWall));
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{table,-18} eps={epsilon} seed={seed} hand tvd2={handScore[1]:F4} tvd3={handScore[2]:F4} {handWall:F2}s | dp tvd2={dpScore[1]:F4} tvd3={dpScore[2]:F4} {dpWall:F2}s bins={string.Join("/", edges.Values.Select(e => e.Length - 1))}"));
            }

            results.Add(new BinningRow(table, disc.RowCount, binned, options.Seeds,
                Median(hand.Select(h => h.T2)), Median(hand.Select(h => h.T3)), Median(hand.Select(h => h.Wall)),
                Median(dp.Select(h => h.T2)), Median(dp.Select(h => h.T3)), Median(dp.Select(h => h.Wall)), plan.BinningRho));
        }

        return results;
    }

    public static string Render(IReadOnlyList<BinningRow> rows, double epsilon, double margin, int dpBins, string commandLine)
    {
        var text = new StringBuilder();
        void Line(FormattableString s) => text.AppendLine(s.ToString(CultureInfo.InvariantCulture));
        Line($"Generated by `{commandLine}` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; ε = {epsilon}, δ = {BenchOptions.Delta:G}, aim (the default), median of {rows.FirstOrDefault()?.Seeds ?? 0} seeds, score.py; public bounds = the observed range{(margin > 0 ? $" widened by {margin:P0} of it on each side" : "")}; {dpBins} DP bins per column against 32 hand-made.");
        Line($"");
        Line($"| table | rows | columns binned | hand tvd2 | hand tvd3 | hand wall s | DP tvd2 | DP tvd3 | DP wall s | tvd3 DP vs hand |");
        Line($"|---|---|---|---|---|---|---|---|---|---|");
        foreach (BinningRow r in rows)
        {
            Line($"| {r.Table} | {r.Rows} | {r.Binned.Count} | {r.HandTvd2:F4} | {r.HandTvd3:F4} | {r.HandWall:F2} | {r.DpTvd2:F4} | {r.DpTvd3:F4} | {r.DpWall:F2} | {100 * (r.DpTvd3 / r.HandTvd3 - 1):+0.0;-0.0}% |");
        }

        return text.ToString();
    }

    /// <summary>The disc table with its binned columns coded by the DP edges (missing keeps a code of its own, after the bins).</summary>
    private static EncodedTable Recode(EncodedTable disc, Dictionary<string, double[]> raw, Dictionary<string, double[]> edges)
    {
        var sizes = disc.DomainSizes.ToArray();
        var columns = Enumerable.Range(0, disc.ColumnCount).Select(j => disc.Column(j).ToArray()).ToArray();
        for (int j = 0; j < disc.ColumnCount; j++)
        {
            if (!edges.TryGetValue(disc.ColumnNames[j], out double[]? e))
            {
                continue;
            }

            double[] values = raw[disc.ColumnNames[j]];
            bool missing = values.Any(double.IsNaN);
            int bins = e.Length - 1;
            sizes[j] = bins + (missing ? 1 : 0);
            columns[j] = values.Select(v => double.IsNaN(v) ? bins : BinOf(e, v)).ToArray();
        }

        return new EncodedTable(disc.ColumnNames.ToArray(), sizes, columns);
    }

    /// <summary>Synthetic DP-bin codes to values (uniform inside the bin, as the decoder draws) and on to the disc coding.</summary>
    private static EncodedTable BackToDisc(EncodedTable synthetic, EncodedTable disc, Dictionary<string, double[]> raw, Dictionary<string, double[]> edges, IRandomSource random)
    {
        var columns = Enumerable.Range(0, synthetic.ColumnCount).Select(j => synthetic.Column(j).ToArray()).ToArray();
        for (int j = 0; j < synthetic.ColumnCount; j++)
        {
            if (!edges.TryGetValue(synthetic.ColumnNames[j], out double[]? e))
            {
                continue;
            }

            double[] present = raw[synthetic.ColumnNames[j]].Where(v => !double.IsNaN(v)).ToArray();
            double lo = present.Min(), hi = present.Max();
            int bins = e.Length - 1;
            columns[j] = columns[j].Select(code =>
            {
                if (code >= bins)
                {
                    return Bins; // the disc missing code
                }

                double value = e[code] + (e[code + 1] - e[code]) * random.NextDouble();
                return Math.Clamp((int)Math.Floor((value - lo) / (hi - lo) * Bins), 0, Bins - 1);
            }).ToArray();
        }

        return new EncodedTable(disc.ColumnNames.ToArray(), disc.DomainSizes.ToArray(), columns);
    }

    /// <summary>The bounds taken as public: the observed range, widened by <paramref name="margin"/> of its width on each side.</summary>
    private static (double Low, double High) Bounds(double[] values, double margin)
    {
        double lo = values.Where(v => !double.IsNaN(v)).Min(), hi = values.Where(v => !double.IsNaN(v)).Max();
        return (lo - margin * (hi - lo), hi + margin * (hi - lo));
    }

    private static int BinOf(double[] edges, double value)
    {
        int i = Array.BinarySearch(edges, value);
        int bin = i >= 0 ? i : ~i - 1;
        return Math.Clamp(bin, 0, edges.Length - 2);
    }

    private static double[] Score(BenchOptions options, string realCsv, string domain, EncodedTable synthetic) =>
        options.ScorePy is { } script
            ? BenchRunner.ScoreWithPython(script, realCsv, domain, synthetic)
            : throw new ArgumentException("--compare-binning needs --score-py");

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The numeric cells of the raw shared CSV (R's write.csv: quoted header, empty or NA = missing), by column.</summary>
    private static Dictionary<string, double[]> ReadRawNumbers(string path, IReadOnlyList<string> wanted)
    {
        string[] lines = File.ReadAllLines(path);
        string[] header = Split(lines[0]);
        var result = new Dictionary<string, double[]>(StringComparer.Ordinal);
        var cells = lines.Skip(1).Where(l => l.Length > 0).Select(Split).ToArray();
        for (int f = 0; f < header.Length; f++)
        {
            if (!wanted.Contains(header[f]))
            {
                continue;
            }

            var values = new double[cells.Length];
            bool numeric = true;
            for (int i = 0; i < cells.Length && numeric; i++)
            {
                string cell = cells[i][f];
                if (cell.Length == 0 || cell == "NA")
                {
                    values[i] = double.NaN;
                }
                else
                {
                    numeric = double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]);
                }
            }

            if (numeric)
            {
                result[header[f]] = values;
            }
        }

        return result;
    }

    private static string[] Split(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return [.. fields];
    }
}
