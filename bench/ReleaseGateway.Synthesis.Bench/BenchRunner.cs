using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Synthesis.Data;
using ReleaseGateway.Synthesis.Marginals;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Synthesis.Synthesizers;

namespace ReleaseGateway.Synthesis.Bench;

/// <summary>One benchmark cell: the median over seeds of one method on one table at one epsilon.</summary>
internal sealed record BenchRow(string Table, int Rows, double Epsilon, BenchMethod Method, int Seeds, double Tvd1, double Tvd2, double Tvd3, double WallSeconds, double CpuSeconds, double PeakMegabytes, double? PyTvd1, double? PyTvd2, double? PyTvd3);

/// <summary>A reference figure from BASELINES.md.</summary>
internal sealed record Baseline(string Table, int Rows, double Epsilon, double Tvd1, double Tvd2, double Tvd3, double WallSeconds);

/// <summary>A reference AIM figure from BASELINES.md (epsilon = 1).</summary>
internal sealed record AimBaseline(string Table, int Rows, double Tvd2, double Tvd3, double WallSeconds);

internal sealed class BenchRunner(BenchOptions options)
{
    public IReadOnlyList<Baseline> Baselines { get; } = ReadBaselines(Path.Combine(options.DataDirectory, "BASELINES.md"));

    public IReadOnlyList<AimBaseline> AimBaselines { get; } = ReadAimBaselines(Path.Combine(options.DataDirectory, "BASELINES.md"));

    public IReadOnlyList<BenchRow> RunAll(TextWriter log)
    {
        var rows = new List<BenchRow>();
        foreach (string table in options.Tables)
        {
            string csv = Path.Combine(options.DataDirectory, table + "-disc.csv");
            string domain = Path.Combine(options.DataDirectory, table + "-domain.json");
            DatasetSchema schema = DatasetSchema.Load(domain);
            EncodedTable real = CsvTableReader.Read(csv, schema);
            string name = table;
            if (options.ScaleRows is int scaleRows)
            {
                // A larger table of the same shape: rows drawn with replacement (seed 0), the first columns kept.
                int columns = Math.Min(options.ScaleColumns ?? real.ColumnCount, real.ColumnCount);
                var draw = new Random(0);
                int[] picks = Enumerable.Range(0, scaleRows).Select(_ => draw.Next(real.RowCount)).ToArray();
                real = new EncodedTable(real.ColumnNames.Take(columns).ToArray(), real.DomainSizes.Take(columns).ToArray(),
                    Enumerable.Range(0, columns).Select(c => { int[] codes = real.Column(c).ToArray(); return picks.Select(r => codes[r]).ToArray(); }).ToArray());
                name = $"{table} {scaleRows}x{columns}";
            }

            var source = new TableMarginalSource(real);
            foreach (double epsilon in options.Epsilons)
            {
                // As in BASELINES.md: the median of several seeds at epsilon = 1, one seed otherwise.
                int seeds = epsilon == 1.0 ? options.Seeds : 1;
                foreach (BenchMethod method in options.Methods)
                {
                    var runs = new List<(double T1, double T2, double T3, double Wall, double Cpu, double Peak, double[]? Py)>();
                    for (int seed = options.FirstSeed; seed < options.FirstSeed + seeds; seed++)
                    {
                        using Process self = Process.GetCurrentProcess();
                        TimeSpan cpuBefore = self.TotalProcessorTime;
                        var stopwatch = Stopwatch.StartNew();
                        SynthesisResult result = Synthesizer.Run(source, new SynthesisOptions { Method = method.Method, MaxMarginalColumns = method.MaxMarginalColumns, Epsilon = epsilon, Delta = BenchOptions.Delta, Seed = seed });
                        double wall = stopwatch.Elapsed.TotalSeconds;
                        self.Refresh();
                        double cpu = (self.TotalProcessorTime - cpuBefore).TotalSeconds;
                        double peak = self.PeakWorkingSet64 / 1048576.0;
                        double t1 = WorkloadError.MeanTvd(real, result.Table, 1);
                        double t2 = WorkloadError.MeanTvd(real, result.Table, 2);
                        double t3 = WorkloadError.MeanTvd(real, result.Table, 3);
                        // A scaled table exists only in memory: it is scored with our yardstick alone.
                        double[]? py = options.ScorePy is { } script && options.ScaleRows is null ? ScoreWithPython(script, csv, domain, result.Table) : null;
                        runs.Add((t1, t2, t3, wall, cpu, peak, py));

                        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{name,-18} eps={epsilon,-4} {method.Name,-6} seed={seed} tvd1={t1:F4} tvd2={t2:F4} tvd3={t3:F4} wall={wall:F2}s cpu={cpu:F2}s peak={peak:F0}MB cliques={result.Cliques.Count} rows={result.Table.RowCount}{(py is null ? string.Empty : $" py=[{py[0]:F4} {py[1]:F4} {py[2]:F4}]")}"));
                    }

                    rows.Add(new BenchRow(name, real.RowCount, epsilon, method, seeds,
                        Median(runs.Select(r => r.T1)), Median(runs.Select(r => r.T2)), Median(runs.Select(r => r.T3)), Median(runs.Select(r => r.Wall)),
                        Median(runs.Select(r => r.Cpu)), runs.Max(r => r.Peak),
                        runs[0].Py is null ? null : Median(runs.Select(r => r.Py![0])),
                        runs[0].Py is null ? null : Median(runs.Select(r => r.Py![1])),
                        runs[0].Py is null ? null : Median(runs.Select(r => r.Py![2]))));
                }
            }
        }

        return rows;
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    internal static double[] ScoreWithPython(string script, string realCsv, string domain, EncodedTable synthetic)
    {
        string path = Path.Combine(Path.GetTempPath(), $"rgw-bench-{Guid.NewGuid():N}.csv");
        try
        {
            using (var writer = new StreamWriter(path))
            {
                CsvTableWriter.WriteCodes(synthetic, writer);
            }

            // score.py carries its own interpreter line (Debian's python3 with numpy and pandas).
            var start = new ProcessStartInfo(script, [realCsv, path, domain]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using Process process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"score.py failed: {error}");
            }

            using JsonDocument json = JsonDocument.Parse(output);
            return [json.RootElement.GetProperty("tvd1").GetDouble(), json.RootElement.GetProperty("tvd2").GetDouble(), json.RootElement.GetProperty("tvd3").GetDouble()];
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static List<AimBaseline> ReadAimBaselines(string path)
    {
        // The AIM section's rows: | table | rows | seeds | tvd2 | tvd3 | wall s |
        var baselines = new List<AimBaseline>();
        bool inAim = false;
        foreach (string line in File.ReadLines(path))
        {
            inAim |= line.StartsWith("# Reference figures: AIM", StringComparison.Ordinal);
            string[] cells = line.Split('|', StringSplitOptions.TrimEntries);
            if (!inAim || cells.Length != 8 || !int.TryParse(cells[2], out int rows))
            {
                continue;
            }

            double Number(int i) => double.Parse(cells[i], CultureInfo.InvariantCulture);
            baselines.Add(new AimBaseline(cells[1], rows, Number(4), Number(5), Number(6)));
        }

        return baselines;
    }

    private static List<Baseline> ReadBaselines(string path)
    {
        var baselines = new List<Baseline>();
        foreach (string line in File.ReadLines(path))
        {
            string[] cells = line.Split('|', StringSplitOptions.TrimEntries);
            if (cells.Length < 9 || !int.TryParse(cells[2], out int rows))
            {
                continue;
            }

            double Number(int i) => double.Parse(cells[i], CultureInfo.InvariantCulture);
            baselines.Add(new Baseline(cells[1], rows, Number(3), Number(4), Number(5), Number(6), Number(7)));
        }

        return baselines;
    }
}
