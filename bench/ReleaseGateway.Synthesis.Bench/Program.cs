using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ReleaseGateway.Synthesis.Bench;

/// <summary>
/// Regenerates docs/synthesis-benchmark.md: ours vs the reference MST and AIM (BASELINES.md) on every
/// shared *-disc.csv table. Usage (from the repository root):
/// <c>dotnet run -c Release --project bench/ReleaseGateway.Synthesis.Bench -- [--data ../shared/data]
/// [--tables nwtco,colon] [--methods aim,aim-jt,mst] [--epsilons 0.3,1,3] [--seeds 3] [--first-seed 1]
/// [--out docs/synthesis-benchmark.md] [--score-py ../shared/tools/score.py] [--scale-rows 1000000 --scale-columns 15]</c>
/// [--compare-binning true [--bounds-margin 0.5] [--dp-bins 16]] (hand-made vs DP bins on the tables with continuous columns, <see cref="BinningComparison"/>)
/// (--scale-rows draws that many rows with replacement from each table, keeping its first --scale-columns columns).
/// </summary>
internal static class Program
{
    public static void Main(string[] args)
    {
        var options = BenchOptions.Parse(args);
        if (options.CompareBinning)
        {
            var timer = Stopwatch.StartNew();
            string table = BinningComparison.Render(BinningComparison.Run(options, Console.Out), options.Epsilons.Contains(1.0) ? 1.0 : options.Epsilons[0], options.BoundsMargin, options.DpBins,
                "nice -n 10 dotnet ReleaseGateway.Synthesis.Bench.dll " + string.Join(" ", args));
            Console.WriteLine(table);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total {timer.Elapsed.TotalSeconds:F0} s"));
            return;
        }

        var runner = new BenchRunner(options);
        var stopwatch = Stopwatch.StartNew();
        IReadOnlyList<BenchRow> rows = runner.RunAll(Console.Out);
        string report = BenchReport.Render(rows, options, runner.Baselines, runner.AimBaselines, stopwatch.Elapsed, string.Join(" ", args));
        if (options.Output is { } output)
        {
            File.WriteAllText(output, report, new UTF8Encoding(false));
            Console.WriteLine($"wrote {output}");
        }
        else
        {
            Console.WriteLine(report);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total {stopwatch.Elapsed.TotalSeconds:F0} s"));
    }
}
