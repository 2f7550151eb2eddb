using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ReleaseGateway.Synthesis.Bench;

/// <summary>
/// Regenerates docs/synthesis-benchmark.md: ours vs the reference MST (BASELINES.md) on every
/// shared *-disc.csv table. Usage (from the repository root):
/// <c>dotnet run -c Release --project bench/ReleaseGateway.Synthesis.Bench -- [--data ../shared/data]
/// [--tables nwtco,colon] [--methods aim,mst] [--epsilons 0.3,1,3] [--seeds 3] [--first-seed 1]
/// [--out docs/synthesis-benchmark.md] [--score-py ../shared/tools/score.py]</c>
/// </summary>
internal static class Program
{
    public static void Main(string[] args)
    {
        var options = BenchOptions.Parse(args);
        var runner = new BenchRunner(options);
        var stopwatch = Stopwatch.StartNew();
        IReadOnlyList<BenchRow> rows = runner.RunAll(Console.Out);
        string report = BenchReport.Render(rows, options, runner.Baselines, stopwatch.Elapsed);
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
