using ReleaseGateway.Privacy.Accounting;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Releases.Checks;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Synthesis.Data;
using ReleaseGateway.Synthesis.Marginals;
using ReleaseGateway.Synthesis.Synthesizers;
using Xunit.Abstractions;

namespace ReleaseGateway.Releases.Tests.Privacy;

/// <summary>
/// A pipeline-level neighbouring-dataset audit (Jagielski, Ullman &amp; Oprea 2020; Annamalai, Ganev &amp; De Cristofaro 2024):
/// the release's real steps — contribution bounding to k rows per person and the secret split (attempt key), synthesis at
/// the plan's ρ per row, the DP release check, the requester's view — run many times with fresh keys on D and on
/// D′ = D plus one person whose k rows all have a profile D never has. A distinguisher that sees what the requester sees
/// tries to tell them apart; one-sided 95 % Clopper–Pearson bounds turn its hit rates into an empirical ε, which must stay
/// within the claimed ε. The same harness on the old split (seeded Fisher–Yates under the published seed, the manifest's
/// exact train/holdout counts) must exceed it: the harness has the power to catch what issue 14 caught.
/// CI runs 150 per side (about 10 s on 2 cores); RGW_FULL_AUDIT=1 runs 1,000.
/// </summary>
public sealed class NeighbouringDatasetAuditTests(ITestOutputHelper output)
{
    private const double Epsilon = 1;
    private const double Delta = 1e-6;
    private const int MaxRowsPerPerson = 2;
    private const double HoldoutFraction = 0.2;
    private const double Alpha = 0.05;
    private static readonly int RunsPerSide = Environment.GetEnvironmentVariable("RGW_FULL_AUDIT") == "1" ? 1000 : 150;
    private static readonly int[] Rare = [3, 3, 2];

    /// <summary>D: 150 persons with one or two rows over a public domain 4 × 4 × 3, never the rare profile; D′ adds a person.</summary>
    private static (EncodedTable Table, int[] PersonIds) Dataset(bool withTarget)
    {
        var random = new Random(20261207);
        var rows = new List<int[]>();
        var persons = new List<int>();
        for (var person = 0; person < 150; person++)
            for (var visit = 0; visit < 1 + person % 2; visit++)
            {
                int[] row;
                do row = [random.Next(4), random.Next(4), random.Next(3)];
                while (row.SequenceEqual(Rare));
                rows.Add(row);
                persons.Add(person);
            }
        if (withTarget)
            for (var visit = 0; visit < MaxRowsPerPerson; visit++)
            {
                rows.Add(Rare);
                persons.Add(150);
            }
        return (new EncodedTable(["a", "b", "c"], [4, 4, 3], Enumerable.Range(0, 3).Select(j => rows.Select(r => r[j]).ToArray()).ToArray()),
            persons.ToArray());
    }

    private static bool HasRare(EncodedTable table)
    {
        for (var i = 0; i < table.RowCount; i++)
            if (table.Column(0)[i] == Rare[0] && table.Column(1)[i] == Rare[1] && table.Column(2)[i] == Rare[2]) return true;
        return false;
    }

    /// <summary>What the requester learns from one attempt of today's pipeline, reduced to the two events the audit tests.</summary>
    private static (bool RareInRelease, bool Blocked) Attempt((EncodedTable Table, int[] PersonIds) d)
    {
        var streams = new SecretStreams(SecretStreams.NewKey());
        var plan = ReleaseBudgetPlan.Create(Epsilon, Delta, 0.05, MaxRowsPerPerson, perPerson: true);
        var split = ReleaseGeneration.BoundAndSplit(d.Table.RowCount, d.PersonIds, MaxRowsPerPerson, HoldoutFraction, streams);
        var train = ReleaseFixture.Rows(d.Table, split.Train);
        var holdout = ReleaseFixture.Rows(d.Table, split.Holdout);
        var synthetic = Synthesizer.Run(new TableMarginalSource(train), new SynthesisOptions
        {
            Method = SynthesisMethod.Mst, Epsilon = Epsilon, Delta = Delta, Rows = 300, RhoPerRow = plan.SynthesisRhoPerRow,
            Random = streams.Stream(RandomPurpose.Noise),
        }).Table;
        var check = CopyTest.Run(train, holdout, synthetic, HoldoutFraction, plan.MaxRowsPerPerson, plan.GateEpsilon, null, streams.Stream(RandomPurpose.Gates));
        return (HasRare(synthetic), !check.Passed);
    }

    [Fact]
    public void Given_neighbouring_tables_differing_in_one_rare_person_When_the_pipeline_runs_many_times_Then_the_empirical_epsilon_stays_within_the_claim()
    {
        var d = Dataset(withTarget: false);
        var dPrime = Dataset(withTarget: true);
        var onD = Enumerable.Range(0, RunsPerSide).Select(_ => Attempt(d)).ToList();
        var onDPrime = Enumerable.Range(0, RunsPerSide).Select(_ => Attempt(dPrime)).ToList();

        var rare = ClopperPearson.EpsilonLowerBound(onDPrime.Count(r => r.RareInRelease), onD.Count(r => r.RareInRelease), RunsPerSide, Alpha);
        var blocked = ClopperPearson.EpsilonLowerBound(onDPrime.Count(r => r.Blocked), onD.Count(r => r.Blocked), RunsPerSide, Alpha);
        output.WriteLine($"{RunsPerSide} runs per side: rare profile released {onD.Count(r => r.RareInRelease)} (D) vs {onDPrime.Count(r => r.RareInRelease)} (D′), " +
                         $"empirical ε ≥ {rare:0.###}; blocked {onD.Count(r => r.Blocked)} vs {onDPrime.Count(r => r.Blocked)}, empirical ε ≥ {blocked:0.###}");

        Assert.InRange(rare, 0, Epsilon);
        Assert.InRange(blocked, 0, Epsilon);
    }

    /// <summary>The old split, re-implemented as it was (issue 14): a seeded Fisher–Yates over all rows, the seed published.</summary>
    private static (int[] Train, int[] Holdout) OldSplit(int rowCount, int publishedSeed)
    {
        var holdoutCount = (int)Math.Round(rowCount * HoldoutFraction, MidpointRounding.AwayFromZero);
        var order = Enumerable.Range(0, rowCount).ToArray();
        new Random(publishedSeed).Shuffle(order);
        return (order[holdoutCount..], order[..holdoutCount]);
    }

    [Fact]
    public void Given_the_old_split_and_manifest_When_audited_with_the_same_harness_Then_the_empirical_epsilon_exceeds_the_claim()
    {
        var d = Dataset(withTarget: false);
        var dPrime = Dataset(withTarget: true);
        var runs = 40;
        bool Attempt((EncodedTable Table, int[] PersonIds) table)
        {
            var seed = Random.Shared.Next(); // published in the old manifest
            var (train, holdout) = OldSplit(table.Table.RowCount, seed);
            var synthetic = Synthesizer.Run(new TableMarginalSource(ReleaseFixture.Rows(table.Table, train)),
                new SynthesisOptions { Method = SynthesisMethod.Mst, Epsilon = Epsilon, Delta = Delta, Rows = 300 }).Table;
            Assert.Equal(300, synthetic.RowCount);
            // The old manifest's rows.train and rows.holdout: exact, so their sum tells the tables apart at any ε.
            return train.Length + holdout.Length == dPrime.Table.RowCount;
        }
        var onD = Enumerable.Range(0, runs).Count(_ => Attempt(d));
        var onDPrime = Enumerable.Range(0, runs).Count(_ => Attempt(dPrime));

        var bound = ClopperPearson.EpsilonLowerBound(onDPrime, onD, runs, Alpha);
        output.WriteLine($"old pipeline, {runs} runs per side: D′ recognised {onDPrime}, D mistaken {onD}; empirical ε ≥ {bound:0.###}");
        Assert.True(bound > Epsilon, $"the harness found only ε ≥ {bound:0.###} on the old pipeline");
    }

    [Fact]
    public void Given_known_rates_When_bounded_Then_the_Clopper_Pearson_bounds_are_the_exact_ones()
    {
        // 0 of 60: the one-sided 95 % upper bound is 1 − 0.05^(1/60); 60 of 60: the lower bound is 0.05^(1/60).
        Assert.Equal(1 - Math.Pow(0.05, 1.0 / 60), ClopperPearson.Upper(0, 60, 0.05), 6);
        Assert.Equal(Math.Pow(0.05, 1.0 / 60), ClopperPearson.Lower(60, 60, 0.05), 6);
        Assert.Equal(0, ClopperPearson.EpsilonLowerBound(30, 30, 60, 0.05));
        Assert.Equal(Math.Log(Math.Pow(0.05, 1.0 / 60) / (1 - Math.Pow(0.05, 1.0 / 60))), ClopperPearson.EpsilonLowerBound(60, 0, 60, 0.05), 6);
    }
}
