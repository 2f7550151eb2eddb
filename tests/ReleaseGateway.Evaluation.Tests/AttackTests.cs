using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Evaluation.Attacks;
using ReleaseGateway.Evaluation.Protocol;
using ReleaseGateway.Evaluation.Tables;

namespace ReleaseGateway.Evaluation.Tests;

public class AttackTests
{
    private static readonly int[] All = [0, 1, 2, 3, 4];

    private static AttackData Copy(int seed = 1)
    {
        var (train, holdout) = TestTables.Split(TestTables.Mixed(2000, seed), seed);
        return new AttackData(train, holdout, train);
    }

    private static AttackData Independent(int seed = 1)
    {
        var (train, holdout) = TestTables.Split(TestTables.Mixed(2000, seed), seed);
        return new AttackData(train, holdout, IndependentMarginals.Sample(train, train.RowCount, new SeededRandomSource(seed + 100)));
    }

    [Fact]
    public void Given_CopyOfTheTrainingData_When_DistanceAttacked_Then_ItReachesTheIssueBar()
    {
        var result = MembershipInference.DistanceToClosestRecord(Copy(), 400, 1e-9, new SeededRandomSource(1), default);
        Assert.True(result.Auc >= 0.95, $"AUC {result.Auc}");
        Assert.True(result.TprAt1PctFpr >= 0.5, $"TPR {result.TprAt1PctFpr}");
        Assert.True(result.Epsilon.LowerBound > 1, $"ε {result.Epsilon.LowerBound}");
    }

    [Fact]
    public void Given_IndependentMarginals_When_DistanceAttacked_Then_SuccessIsChance()
    {
        // 400 members vs 400 non-members: the AUC's standard error under H0 is ≈ √(1/(12·400·400/800)) ≈ 0.02.
        var result = MembershipInference.DistanceToClosestRecord(Independent(), 400, 1e-9, new SeededRandomSource(1), default);
        Assert.InRange(result.Auc, 0.44, 0.56);
        Assert.Equal(0, result.Epsilon.LowerBound, 1);
    }

    [Fact]
    public void Given_CopyAndIndependentData_When_DensityRatioAttacked_Then_OnlyTheCopyIsSeparated()
    {
        var copy = MembershipInference.DensityRatio(Copy(), 200, 1e-9, new SeededRandomSource(2), default);
        var independent = MembershipInference.DensityRatio(Independent(), 200, 1e-9, new SeededRandomSource(2), default);
        Assert.True(copy.Auc > 0.9, $"copy AUC {copy.Auc}");
        // 200 vs 200 scores: standard error ≈ 0.029; ±3 SE.
        Assert.InRange(independent.Auc, 0.41, 0.59);
    }

    [Fact]
    public void Given_CopyAndIndependentData_When_AttributesAreInferred_Then_RiskIsNearOneForTheCopyAndNearZeroOtherwise()
    {
        var copy = AttributeInference.Run(Copy(), [0, 1, 2, 3], 4, 300, new SeededRandomSource(3), default);
        var independent = AttributeInference.Run(Independent(), [0, 1, 2, 3], 4, 300, new SeededRandomSource(3), default);
        Assert.True(copy.NearestNeighbour.Value > 0.9, $"copy NN risk {copy.NearestNeighbour.Value}");
        Assert.True(independent.NearestNeighbour.Lower <= 0.05, $"independent NN risk lower bound {independent.NearestNeighbour.Lower}");
        Assert.True(independent.ModelBased.Lower <= 0.05, $"independent model risk lower bound {independent.ModelBased.Lower}");
    }

    [Fact]
    public void Given_NumericSecret_When_Guessed_Then_ItIsCorrectWithinFivePercent()
    {
        Assert.True(AttributeInference.NumericMatch(104, 100));
        Assert.False(AttributeInference.NumericMatch(106, 100));
        Assert.True(AttributeInference.NumericMatch(double.NaN, double.NaN));
    }

    [Fact]
    public void Given_CopyAndIndependentData_When_SinglingOutMultivariate_Then_RiskIsNearOneForTheCopyAndSmallOtherwise()
    {
        var copy = SinglingOut.Multivariate(Copy(), All, 200, 3, 100_000, new SeededRandomSource(4), default);
        var independent = SinglingOut.Multivariate(Independent(), All, 200, 3, 100_000, new SeededRandomSource(4), default);
        Assert.True(copy.Risk.Value > 0.8, $"copy risk {copy.Risk.Value}");
        Assert.True(independent.Risk.Value < 0.2, $"independent risk {independent.Risk.Value}");
    }

    [Fact]
    public void Given_SyntheticTable_When_UnivariatePredicatesAreBuilt_Then_EachSinglesOutExactlyOneRecord()
    {
        var data = Copy();
        var result = SinglingOut.Univariate(data, All, 50, new SeededRandomSource(5), default);
        Assert.True(result.Generated > 0);
        Assert.True(result.Risk.Value > 0.5, $"copy risk {result.Risk.Value}");
    }

    [Fact]
    public void Given_Predicate_When_CountingRows_Then_OnlyRowsMatchingEveryTermCount()
    {
        var table = TestTables.Mixed(200, 2);
        var sex = new PredicateTerm(2, PredicateOperator.Equal, 1);
        var old = new PredicateTerm(0, PredicateOperator.AtLeast, 60);
        var expected = Enumerable.Range(0, 200).Count(r => table.Columns[2].Codes[r] == 1 && table.Columns[0].Values[r] >= 60);
        Assert.Equal(expected, SinglingOut.Count(table, [sex, old]));
    }

    [Fact]
    public void Given_CopyAndIndependentData_When_LinkabilityIsAttacked_Then_TheCopyScoresHigher()
    {
        var copy = Linkability.Run(Copy(), [0, 2], [1, 3, 4], 400, 10, new SeededRandomSource(6), default);
        var independent = Linkability.Run(Independent(), [0, 2], [1, 3, 4], 400, 10, new SeededRandomSource(6), default);
        Assert.True(copy.Risk.Value > 0.3, $"copy risk {copy.Risk.Value}");
        Assert.True(independent.Risk.Lower <= 0.05, $"independent risk lower bound {independent.Risk.Lower}");
    }

    [Fact]
    public void Bug_LinkabilityWithEveryDistanceTied_LinksOnlyByChance()
    {
        // 200 identical synthetic records: every distance ties. Taking the lowest row index on both halves linked every
        // target; independent random tie-breaks link two random 10-subsets of 200, 1 − C(190,10)/C(200,10) ≈ 0.41.
        var (train, holdout) = TestTables.Split(TestTables.Mixed(2000, 3), 3);
        var synthetic = train.Select(Enumerable.Repeat(0, 200).ToArray());
        var result = Linkability.Run(new AttackData(train, holdout, synthetic), [0, 2], [1, 3, 4], 400, 10, new SeededRandomSource(6), default);
        var chance = 1 - Enumerable.Range(0, 10).Aggregate(1.0, (p, i) => p * (190.0 - i) / (200.0 - i));
        Assert.Equal(LinkabilityResult.RandomTieBreak, result.TieBreak);
        // Wilson rates of 400 Bernoulli(0.41) draws lie within ±0.1 of the chance rate with probability > 0.9999.
        Assert.InRange(result.Risk.AttackRate, chance - 0.1, chance + 0.1);
        Assert.InRange(result.Risk.ControlRate, chance - 0.1, chance + 0.1);
    }

    [Fact]
    public void Given_MemorisingGeneratorAndIndependentSampling_When_ShadowModelsAttack_Then_OnlyTheMemorisingOneIsDetected()
    {
        var data = Independent(9);
        SyntheticGenerator memorising = (training, _, _) => training;
        // The dataset size exceeds the 400 holdout rows, so shadow datasets use all of them.
        var options = new ShadowModelOptions(Targets: 2, Runs: 8, DatasetSize: 1000);
        var leaky = ShadowModelAttack.Run(data, memorising, options, 1e-9, new SeededRandomSource(7), default);
        var safe = ShadowModelAttack.Run(data, IndependentMarginals.Generator, options, 1e-9, new SeededRandomSource(7), default);
        Assert.True(leaky.Pooled.Auc > 0.95, $"memorising AUC {leaky.Pooled.Auc}");
        // 8 test outputs per world: chance AUC has a standard error of ≈ 0.15; allow 2 SE.
        Assert.InRange(safe.Pooled.Auc, 0.2, 0.8);
        Assert.Equal(2 * 2 * (8 + 4), leaky.GeneratorRuns);
        Assert.True(leaky.SecondsPerShadowRun >= 0 && leaky.SecondsPerTarget >= 0);
    }

    [Fact]
    public void Given_TrainingOutlierFarFromTheReference_When_RecordsAreRankedByRisk_Then_ItIsMostAtRisk()
    {
        var (train, reference) = TestTables.Split(TestTables.Mixed(400, 3), 3);
        var columns = train.Columns.ToArray();
        foreach (var c in new[] { 0, 1 })
        {
            var values = train.Columns[c].Values.ToArray();
            values[17] = 500;
            columns[c] = EvalColumn.Numeric(columns[c].Spec, values);
        }

        var withOutlier = new EvalTable(columns);
        var metric = GowerMetric.Fit(All, withOutlier, reference);
        var chosen = ShadowModelAttack.MostAtRisk(withOutlier, reference, metric, 1, new SeededRandomSource(1), default);
        Assert.Equal(17, chosen[0].Row);
    }

    [Fact]
    public void Bug_two_identical_training_outliers_shielded_each_other_from_vulnerable_record_selection()
    {
        // Distances to other training records made a duplicated outlier look safe, although every shadow dataset (drawn
        // from the reference) holds at most one copy of it: the reference is what the target must stand apart from.
        var (train, reference) = TestTables.Split(TestTables.Mixed(400, 4), 4);
        var columns = train.Columns.ToArray();
        foreach (var c in new[] { 0, 1 })
        {
            var values = train.Columns[c].Values.ToArray();
            values[5] = values[9] = 500;
            columns[c] = EvalColumn.Numeric(columns[c].Spec, values);
        }

        var twins = new EvalTable(columns);
        var metric = GowerMetric.Fit(All, twins, reference);
        var chosen = ShadowModelAttack.MostAtRisk(twins, reference, metric, 2, new SeededRandomSource(1), default);
        Assert.Equal([5, 9], chosen.Select(c => c.Row).Order());
    }
}
