using System.Globalization;
using System.Text;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Releases.Checks;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Synthesis.Binning;
using ReleaseGateway.Synthesis.Data;
using ReleaseGateway.Synthesis.Marginals;
using ReleaseGateway.Synthesis.Synthesizers;
using Xunit.Abstractions;

namespace ReleaseGateway.Releases.Tests.Privacy;

/// <summary>
/// The neighbouring-dataset audit of <see cref="NeighbouringDatasetAuditTests"/> with a bounds-only column, so the release
/// includes DP binning (ADR 0037): the pipeline's steps in its order — read the raw values, bound to k rows per person and
/// split by the attempt's coins, place the edges by DP quantiles at the plan's binning slice from the attempt's Binning
/// stream, code the table with them, synthesize at the plan's ρ per row, run the DP release check — on D and on D′ = D plus
/// one person whose k rows sit far above every value of D. The requester sees the edges (DP output) and the release; a
/// distinguisher looks for an edge or a released value in the range only D′'s person occupies. Its empirical ε must stay
/// within the claimed ε, whose ρ the three slices compose to exactly.
/// </summary>
public sealed class DpBinningNeighbouringAuditTests(ITestOutputHelper output)
{
    private const double Epsilon = 1;
    private const double Delta = 1e-6;
    private const int MaxRowsPerPerson = 2;
    private const double HoldoutFraction = 0.2;
    private const double Alpha = 0.05;
    private const double Outlier = 95;
    private const double Separation = 60;
    private static readonly int RunsPerSide = Environment.GetEnvironmentVariable("RGW_FULL_AUDIT") == "1" ? 1000 : 150;

    private static readonly DatasetSchema Schema = DatasetSchema.Parse("""
        { "columns": [
          {"name": "pid", "type": "identifier", "role": "personKey"},
          {"name": "a", "type": "integer", "min": 0, "max": 3},
          {"name": "b", "type": "integer", "min": 0, "max": 2},
          {"name": "x", "type": "continuous", "min": 0, "max": 100, "dpBins": 6} ] }
        """);

    /// <summary>D: 150 persons with one or two rows, x in [0, 50); D′ adds a person with k rows at x = 95.</summary>
    private static string Dataset(bool withTarget)
    {
        var random = new Random(20261208);
        var csv = new StringBuilder("pid,a,b,x\n");
        for (var person = 0; person < 150; person++)
            for (var visit = 0; visit < 1 + person % 2; visit++)
                csv.Append(CultureInfo.InvariantCulture, $"p{person},{random.Next(4)},{random.Next(3)},{random.NextDouble() * 50:F3}\n");
        if (withTarget)
            for (var visit = 0; visit < MaxRowsPerPerson; visit++)
                csv.Append(CultureInfo.InvariantCulture, $"target,3,2,{Outlier}\n");
        return csv.ToString();
    }

    private static Stream Open(string csv) => new MemoryStream(Encoding.UTF8.GetBytes(csv));

    /// <summary>What the requester learns from one attempt, reduced to the events the audit tests.</summary>
    private static (bool EdgeAbove, bool ValueAbove, bool Blocked) Attempt(string csv, ReleaseBudgetPlan plan)
    {
        var streams = new SecretStreams(SecretStreams.NewKey());
        var raw = CsvTableReader.ReadNumbers(Open(csv), Schema, ["x"]);
        var split = ReleaseGeneration.BoundAndSplit(raw.Values[0].Length, raw.PersonIds, MaxRowsPerPerson, HoldoutFraction, streams);
        var binning = DpBinning.Place(Schema, raw, split.Train, plan.BinningRho, MaxRowsPerPerson, streams.Stream(RandomPurpose.Binning));
        Assert.Equal(plan.BinningRho, binning.RhoSpent, 12);
        var table = CsvTableReader.ReadWithPersons(Open(csv), binning.Schema).Table;
        var train = ReleaseFixture.Rows(table, split.Train);
        var holdout = ReleaseFixture.Rows(table, split.Holdout);
        var synthetic = Synthesizer.Run(new TableMarginalSource(train), new SynthesisOptions
        {
            Method = SynthesisMethod.Mst, Epsilon = Epsilon, Delta = Delta, Rows = 300, RhoPerRow = plan.SynthesisRhoPerRow,
            Random = streams.Stream(RandomPurpose.Noise),
        }).Table;
        var check = CopyTest.Run(train, holdout, synthetic, HoldoutFraction, plan.MaxRowsPerPerson, plan.GateEpsilon, null, streams.Stream(RandomPurpose.Gates));
        var edges = binning.Edges["x"];
        var decoded = DecodedTable.Decode(synthetic, binning.Schema, streams.Stream(RandomPurpose.Decoding));
        var x = decoded.Columns.Select(c => c.Name).ToList().IndexOf("x");
        var valueAbove = decoded.Values[x].Any(v => double.Parse(v, CultureInfo.InvariantCulture) >= Separation);
        return (edges.Skip(1).SkipLast(1).Any(e => e >= Separation), valueAbove, !check.Passed);
    }

    [Fact]
    public void Given_neighbouring_tables_with_a_bounds_only_column_When_the_pipeline_with_DP_binning_runs_many_times_Then_the_empirical_epsilon_stays_within_the_claim()
    {
        var plan = ReleaseBudgetPlan.Create(Epsilon, Delta, 0.05, MaxRowsPerPerson, perPerson: true, ReleaseBudgetPlan.DefaultBinningShare);
        Assert.Equal(plan.TotalRho, plan.GateRho + plan.BinningRho + plan.SynthesisRhoPerUnit, 15);
        Assert.Equal(Epsilon, ZcdpConversion.Epsilon(plan.TotalRho, Delta), 9);
        var d = Dataset(withTarget: false);
        var dPrime = Dataset(withTarget: true);

        var onD = Enumerable.Range(0, RunsPerSide).Select(_ => Attempt(d, plan)).ToList();
        var onDPrime = Enumerable.Range(0, RunsPerSide).Select(_ => Attempt(dPrime, plan)).ToList();

        double Bound(Func<(bool EdgeAbove, bool ValueAbove, bool Blocked), bool> seen) =>
            ClopperPearson.EpsilonLowerBound(onDPrime.Count(seen), onD.Count(seen), RunsPerSide, Alpha);
        var edge = Bound(r => r.EdgeAbove);
        var value = Bound(r => r.ValueAbove);
        var either = Bound(r => r.EdgeAbove || r.ValueAbove);
        var blocked = Bound(r => r.Blocked);
        output.WriteLine($"{RunsPerSide} runs per side: edge ≥ {Separation} {onD.Count(r => r.EdgeAbove)} (D) vs {onDPrime.Count(r => r.EdgeAbove)} (D′), ε ≥ {edge:0.###}; " +
                         $"value ≥ {Separation} {onD.Count(r => r.ValueAbove)} vs {onDPrime.Count(r => r.ValueAbove)}, ε ≥ {value:0.###}; either ε ≥ {either:0.###}; " +
                         $"blocked {onD.Count(r => r.Blocked)} vs {onDPrime.Count(r => r.Blocked)}, ε ≥ {blocked:0.###}");

        Assert.InRange(edge, 0, Epsilon);
        Assert.InRange(value, 0, Epsilon);
        Assert.InRange(either, 0, Epsilon);
        Assert.InRange(blocked, 0, Epsilon);
    }
}
