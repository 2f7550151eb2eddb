using System.Globalization;
using ReleaseGateway.Synthesis.Synthesizers;

namespace ReleaseGateway.Synthesis.Bench;

internal sealed record BenchOptions(
    string DataDirectory,
    IReadOnlyList<string> Tables,
    IReadOnlyList<BenchMethod> Methods,
    IReadOnlyList<double> Epsilons,
    int Seeds,
    int FirstSeed,
    string? Output,
    string? ScorePy,
    int? ScaleRows,
    int? ScaleColumns,
    bool CompareBinning = false,
    double BoundsMargin = 0,
    int DpBins = 32)
{
    public const double Delta = 1e-9;

    public static readonly string[] AllTables = ["nwtco", "colon", "mgus2", "pbcseq", "pima", "breastcancer_wisc", "gbsg", "cgd", "dmlate", "letter"];

    public static BenchOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{args[i]}'");
            }

            values[args[i][2..]] = args[i + 1];
        }

        if (args.Length % 2 == 1)
        {
            throw new ArgumentException($"option '{args[^1]}' needs a value");
        }

        string[] List(string key, string fallback) => values.GetValueOrDefault(key, fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new BenchOptions(
            values.GetValueOrDefault("data", Path.Combine("..", "shared", "data")),
            List("tables", string.Join(",", AllTables)),
            List("methods", "aim,aim-jt,mst").Select(BenchMethod.Parse).ToArray(),
            List("epsilons", "0.3,1,3").Select(e => double.Parse(e, CultureInfo.InvariantCulture)).ToArray(),
            int.Parse(values.GetValueOrDefault("seeds", "3"), CultureInfo.InvariantCulture),
            int.Parse(values.GetValueOrDefault("first-seed", "1"), CultureInfo.InvariantCulture),
            values.GetValueOrDefault("out"),
            values.GetValueOrDefault("score-py"),
            values.TryGetValue("scale-rows", out string? scaleRows) ? int.Parse(scaleRows, CultureInfo.InvariantCulture) : null,
            values.TryGetValue("scale-columns", out string? scaleColumns) ? int.Parse(scaleColumns, CultureInfo.InvariantCulture) : null,
            values.GetValueOrDefault("compare-binning") == "true",
            double.Parse(values.GetValueOrDefault("bounds-margin", "0"), CultureInfo.InvariantCulture),
            int.Parse(values.GetValueOrDefault("dp-bins", "32"), CultureInfo.InvariantCulture));
    }
}

/// <summary>A configuration benchmarked: the method and, for AIM, the largest marginal (aim = forest, aim-jt = junction tree).</summary>
internal sealed record BenchMethod(string Name, SynthesisMethod Method, int MaxMarginalColumns)
{
    public static BenchMethod Parse(string name) => name.ToLowerInvariant() switch
    {
        "aim" => new(name, SynthesisMethod.Aim, 2),
        "aim-jt" => new(name, SynthesisMethod.Aim, 3),
        "mst" => new(name, SynthesisMethod.Mst, 2),
        _ => throw new ArgumentException($"unknown method '{name}' (known: aim, aim-jt, mst)"),
    };
}
