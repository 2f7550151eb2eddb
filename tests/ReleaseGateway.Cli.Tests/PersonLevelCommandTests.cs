using System.Text.Json;
using ReleaseGateway.Testing;

namespace ReleaseGateway.Cli.Tests;

/// <summary>rgw synth and rgw split on pbcseq, whose person key is 'id': ε per person, the key never written, persons kept whole.</summary>
public sealed class PersonLevelCommandTests
{
    // made runs through the neural plug-in (ADR 0043), built into the test's folder.
    private static readonly Dictionary<string, string?> Env = new()
    {
        ["ReleaseGateway__Generators__Plugins"] = Path.Combine(AppContext.BaseDirectory, "ReleaseGateway.Releases.Neural.dll"),
    };
    private readonly string _dir = Directory.CreateTempSubdirectory("rgw-person-tests").FullName;

    [Fact]
    public async Task Given_SchemaWithPersonKey_When_Synthesised_Then_UnitIsPersonTheKeyIsAbsentAndRhoPerRowIsOverKSquared()
    {
        var schema = Path.Combine(_dir, "pbcseq-schema.json");
        await File.WriteAllTextAsync(schema, Pbcseq.SchemaJson);
        var output = Path.Combine(_dir, "out.csv");

        var result = await Rgw.RunAsync(Env, null, "synth", "--input", Pbcseq.CsvPath, "--schema", schema, "--epsilon", "1", "--delta", "1e-9",
            "--method", "mst", "--rows", "200", "--max-rows-per-person", "4", "--output", output);

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var line = JsonDocument.Parse(result.Stdout.Trim());
        Assert.Equal("person", line.RootElement.GetProperty("unit").GetString());
        Assert.Equal(Privacy.Accounting.ZcdpConversion.Rho(1, 1e-9) / 16, line.RootElement.GetProperty("rhoBudget").GetDouble(), 12);
        var header = (await File.ReadAllLinesAsync(output))[0].Split(',');
        Assert.DoesNotContain("id", header);
        Assert.Contains("stage", header);
        Assert.DoesNotContain("warning", result.Stderr);
    }

    [Fact]
    public async Task Given_BoundsOnlyColumns_When_Synthesised_Then_DpBinningTakesItsSliceAndTheRestGoesToSynthesisOverKSquared()
    {
        var schema = Path.Combine(_dir, "pbcseq-bounds.json");
        string json = Pbcseq.SchemaJson
            .Replace("\"max\": 45, \"bins\": 15}", "\"max\": 45}", StringComparison.Ordinal)
            .Replace("\"max\": 9, \"bins\": 16}", "\"max\": 9, \"dpBins\": 8}", StringComparison.Ordinal);
        Assert.NotEqual(Pbcseq.SchemaJson, json);
        await File.WriteAllTextAsync(schema, json);
        var output = Path.Combine(_dir, "binned.csv");

        var result = await Rgw.RunAsync(Env, null, "synth", "--input", Pbcseq.CsvPath, "--schema", schema, "--epsilon", "1", "--delta", "1e-9",
            "--method", "mst", "--rows", "200", "--max-rows-per-person", "4", "--output", output);

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var line = JsonDocument.Parse(result.Stdout.Trim());
        double rho = Privacy.Accounting.ZcdpConversion.Rho(1, 1e-9);
        Assert.Equal(0.1 * rho, line.RootElement.GetProperty("binningRho").GetDouble(), 12);
        Assert.Equal(0.9 * rho / 16, line.RootElement.GetProperty("rhoBudget").GetDouble(), 12);
        Assert.Contains("DP binning", result.Stderr);
        Assert.Contains("bili: 0, ", result.Stderr);
        Assert.Contains("albumin: 1, ", result.Stderr);
    }

    [Fact]
    public async Task Given_SchemaWithPersonKey_When_MadeAskedForSeveralRowsPerPerson_Then_ExitsTwoBecauseItHasNoPersonLevelBounding()
    {
        var schema = Path.Combine(_dir, "pbcseq-schema.json");
        await File.WriteAllTextAsync(schema, Pbcseq.SchemaJson);
        var output = Path.Combine(_dir, "never.csv");

        var result = await Rgw.RunAsync(Env, null, "synth", "--input", Pbcseq.CsvPath, "--schema", schema, "--epsilon", "1",
            "--method", "made", "--max-rows-per-person", "4", "--output", output);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--method made has no person-level bounding: --max-rows-per-person must be 1, not '4' (use aim or mst)", result.Stderr);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Given_SchemaWithPersonKey_When_MadeSynthesises_Then_TheKeyIsAbsent()
    {
        var schema = Path.Combine(_dir, "pbcseq-schema.json");
        await File.WriteAllTextAsync(schema, Pbcseq.SchemaJson);
        var output = Path.Combine(_dir, "made.csv");

        var result = await Rgw.RunAsync(Env, null, "synth", "--input", Pbcseq.CsvPath, "--schema", schema, "--epsilon", "1",
            "--method", "made", "--rows", "50", "--output", output);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var lines = await File.ReadAllLinesAsync(output);
        Assert.Equal(51, lines.Length);
        Assert.DoesNotContain("id", lines[0].Split(','));
    }

    [Fact]
    public async Task Given_PublicSeed_When_Synthesised_Then_ItWarnsThatTheGuaranteeIsVoid()
    {
        var result = await Rgw.RunAsync(Env, null, "synth", "--input", Path.Combine(RepositoryPaths.SharedData, "gbsg-disc.csv"),
            "--schema", Path.Combine(RepositoryPaths.SharedData, "gbsg-domain.json"), "--epsilon", "1", "--seed", "7", "--rows", "50",
            "--output", Path.Combine(_dir, "seeded.csv"));

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("voids the privacy guarantee", result.Stderr);
    }

    [Fact]
    public async Task Given_PersonKey_When_Split_Then_EveryPatientIsOnOneSideAndTheDefaultIsSecret()
    {
        var train = Path.Combine(_dir, "train.csv");
        var holdout = Path.Combine(_dir, "holdout.csv");

        var result = await Rgw.RunAsync(Env, null, "split", "--input", Pbcseq.CsvPath, "--person-key", "id", "--train", train, "--holdout-out", holdout);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("secret coins", result.Stdout);
        var trainIds = (await File.ReadAllLinesAsync(train)).Skip(1).Select(l => l.Split(',')[0]).ToHashSet();
        var holdoutIds = (await File.ReadAllLinesAsync(holdout)).Skip(1).Select(l => l.Split(',')[0]).ToHashSet();
        Assert.Equal(Pbcseq.Persons, trainIds.Count + holdoutIds.Count);
        Assert.Empty(trainIds.Intersect(holdoutIds));
    }

    [Fact]
    public async Task Given_Seed_When_Split_Then_ReproducibleAndWarned()
    {
        string[] Args(string suffix) => ["split", "--input", Pbcseq.CsvPath, "--seed", "11", "--train", Path.Combine(_dir, $"t{suffix}.csv"),
            "--holdout-out", Path.Combine(_dir, $"h{suffix}.csv")];

        var first = await Rgw.RunAsync(Env, null, Args("1"));
        var second = await Rgw.RunAsync(Env, null, Args("2"));

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("voids the privacy guarantee", first.Stderr);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(_dir, "h1.csv")), await File.ReadAllTextAsync(Path.Combine(_dir, "h2.csv")));
    }
}
