using System.Text.Json;
using ReleaseGateway.Testing;

namespace ReleaseGateway.Cli.Tests;

/// <summary>rgw synth as a process on a shared clinical table: output in the input's coding, bad input exits 2 and writes nothing.</summary>
public sealed class SynthCommandTests
{
    private static readonly Dictionary<string, string?> Env = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("rgw-synth-tests").FullName;
    private static string Shared(string file) => Path.Combine(RepositoryPaths.SharedData, file);

    [Fact]
    public async Task Given_IntegerCodedTable_When_SynthRuns_Then_ItWritesTheSameColumnsWithinTheDomainAndOneJsonLine()
    {
        var output = Path.Combine(_dir, "out.csv");
        var result = await Rgw.RunAsync(Env, null, "synth", "--input", Shared("gbsg-disc.csv"), "--schema", Shared("gbsg-domain.json"),
            "--epsilon", "1", "--delta", "1e-9", "--seed", "7", "--rows", "300", "--output", output);

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var line = JsonDocument.Parse(result.Stdout.Trim());
        Assert.Equal(1.0, line.RootElement.GetProperty("epsilon").GetDouble());
        Assert.Equal(300, line.RootElement.GetProperty("rows").GetInt32());
        var domain = JsonSerializer.Deserialize<Dictionary<string, int>>(await File.ReadAllTextAsync(Shared("gbsg-domain.json")))!;
        var lines = await File.ReadAllLinesAsync(output);
        Assert.Equal(string.Join(',', domain.Keys), lines[0]);
        Assert.Equal(301, lines.Length);
        var columns = domain.Values.ToArray();
        Assert.All(lines.Skip(1), row => Assert.All(row.Split(',').Select(int.Parse).Zip(columns), p => Assert.InRange(p.First, 0, p.Second - 1)));
    }

    [Theory]
    [InlineData("--epsilon", "-1", "epsilon")]
    [InlineData("--epsilon", "abc", "epsilon")]
    [InlineData("--method", "magic", "method")]
    public async Task Given_InvalidParameter_When_SynthRuns_Then_ItExitsTwoWithAPreciseMessageAndWritesNothing(string option, string value, string mentioned)
    {
        var output = Path.Combine(_dir, "never.csv");
        var args = new List<string> { "synth", "--input", Shared("gbsg-disc.csv"), "--schema", Shared("gbsg-domain.json"), "--epsilon", "1", "--output", output };
        var at = args.IndexOf(option);
        if (at >= 0) args[at + 1] = value; else args.AddRange([option, value]);

        var result = await Rgw.RunAsync(Env, null, [.. args]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(mentioned, result.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Given_SynthHelp_When_Printed_Then_EveryRegisteredGeneratorIsListedWithItsTitle()
    {
        var result = await Rgw.RunAsync(Env, null, "synth", "--help");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var help = string.Join(' ', result.Stdout.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--method", help);
        foreach (var (name, title) in new[] { ("aim", "AIM (adaptive marginals)"), ("mst", "MST (maximum spanning tree)"), ("made", "MADE (DP-SGD neural network)") })
            Assert.Contains($"{name} = {title}", help);
    }

    [Fact]
    public async Task Given_AnUnknownMethod_When_Synth_Then_ExitsTwoListingTheRegisteredGenerators()
    {
        var output = Path.Combine(_dir, "never.csv");

        var result = await Rgw.RunAsync(Env, null, "synth", "--input", Shared("gbsg-disc.csv"), "--schema", Shared("gbsg-domain.json"),
            "--epsilon", "1", "--method", "gan", "--output", output);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown generator 'gan' (known: aim, mst, made)", result.Stderr);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Given_NoNeuralPlugin_When_SynthWithMade_Then_ExitsTwoNamingThePluginAndWritesNothing()
    {
        var output = Path.Combine(_dir, "never.csv");

        var result = await Rgw.RunAsync(Env, null, "synth", "--input", Shared("gbsg-disc.csv"), "--schema", Shared("gbsg-domain.json"),
            "--epsilon", "1", "--method", "made", "--rows", "20", "--output", output);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("generator 'made' is not installed on this node: it runs only where its plug-in ReleaseGateway.Releases.Neural is loaded", result.Stderr);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Given_ShadowMethodMade_When_Evaluate_Then_ExitsTwoSayingMadeHasNoShadowModel()
    {
        var csv = Shared("gbsg-disc.csv");
        var result = await Rgw.RunAsync(Env, null, "evaluate", "--train", csv, "--holdout", csv, "--synthetic", csv, "--schema", Shared("gbsg-domain.json"),
            "--epsilon", "1", "--shadow-method", "made", "--report", Path.Combine(_dir, "never.json"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("made has no shadow model", result.Stderr);
        Assert.False(File.Exists(Path.Combine(_dir, "never.json")));
    }

    [Fact]
    public async Task Given_MalformedCsv_When_SynthRuns_Then_ItNamesRowAndColumnAndWritesNothing()
    {
        var input = Path.Combine(_dir, "bad.csv");
        var lines = (await File.ReadAllLinesAsync(Shared("gbsg-disc.csv"))).Take(20).ToArray();
        var header = lines[0].Split(',');
        var cells = lines[5].Split(',');
        cells[1] = "999";
        lines[5] = string.Join(',', cells);
        await File.WriteAllLinesAsync(input, lines);
        var output = Path.Combine(_dir, "never.csv");

        var result = await Rgw.RunAsync(Env, null, "synth", "--input", input, "--schema", Shared("gbsg-domain.json"), "--epsilon", "1", "--output", output);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("6", result.Stderr);
        Assert.Contains(header[1], result.Stderr);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Given_UnknownSchemaColumn_When_SynthRuns_Then_ItExitsTwo()
    {
        var schema = Path.Combine(_dir, "schema.json");
        await File.WriteAllTextAsync(schema, """{"no_such_column": 3}""");
        var result = await Rgw.RunAsync(Env, null, "synth", "--input", Shared("gbsg-disc.csv"), "--schema", schema, "--epsilon", "1", "--output", Path.Combine(_dir, "x.csv"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no_such_column", result.Stderr);
    }
}
