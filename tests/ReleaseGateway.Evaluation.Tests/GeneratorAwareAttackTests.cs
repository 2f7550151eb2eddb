using ReleaseGateway.Evaluation.Attacks;
using ReleaseGateway.Evaluation.Fidelity;
using ReleaseGateway.Evaluation.Protocol;
using ReleaseGateway.Evaluation.Tables;
using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Evaluation.Tests;

/// <summary>Linear reconstruction (ADR 0045) and the generator-aware membership attack on cases whose answer is known.</summary>
public class GeneratorAwareAttackTests
{
    private const int Secret = 4;
    private static readonly int[] QuasiIdentifiers = [0, 1, 2, 3];

    private static (EvalTable Train, EvalTable Holdout) Tables(int seed) => TestTables.Split(TestTables.Mixed(2000, seed, coded: true), seed);

    [Fact]
    public void Given_CopyOfTheTrainingData_When_SecretsAreReconstructed_Then_TrainingRecordsAreRecoveredNearlyPerfectly()
    {
        var (train, holdout) = Tables(1);
        // Exact counts cannot tell apart records with the same quasi-identifiers: the best any attacker can do is the
        // majority secret of each quasi-identifier tuple. Scored on every training record (the training set as its own
        // control), the reconstruction must reach that bound.
        var all = LinearReconstruction.Run(new AttackData(train, train, train), QuasiIdentifiers, Secret, train.RowCount, 1e-9, new SeededRandomSource(1), default);
        Assert.Equal(train.RowCount, all.Accuracy.Trials);
        Assert.True(all.Accuracy.Value >= Oracle(train) - 0.005, $"accuracy {all.Accuracy.Value}, best possible {Oracle(train)}");
        var result = LinearReconstruction.Run(new AttackData(train, holdout, train), QuasiIdentifiers, Secret, 2000, 1e-9, new SeededRandomSource(1), default);
        Assert.True(result.Accuracy.Value > result.ControlAccuracy.Value + 0.1, $"control {result.ControlAccuracy.Value}");
        Assert.True(result.Risk.LowerBound(0.95) > 0.15, $"risk {result.Risk.Value} (lower {result.Risk.Lower})");
        Assert.Equal("outcome", result.Secret);
    }

    [Fact]
    public void Given_IndependentMarginals_When_SecretsAreReconstructed_Then_AccuracyIsTheBaselineAndTheRiskIsNotSignificant()
    {
        var (train, holdout) = Tables(2);
        var synthetic = IndependentMarginals.Sample(train, train.RowCount, new SeededRandomSource(3));
        var result = LinearReconstruction.Run(new AttackData(train, holdout, synthetic), QuasiIdentifiers, Secret, 300, 1e-9, new SeededRandomSource(2), default);
        // 300 targets: the Wilson half-width of a rate near 0.6 is ≈ 0.055. The counts carry nothing about a target, so the
        // reconstruction does no better than the majority class (it may do worse: it follows the sampling noise of small
        // cells), and training and control targets fare alike.
        Assert.True(result.Accuracy.Value <= result.BaselineAccuracy.Value + 0.055, $"accuracy {result.Accuracy.Value}, baseline {result.BaselineAccuracy.Value}");
        Assert.InRange(result.Accuracy.Value - result.ControlAccuracy.Value, -0.08, 0.08);
        Assert.Equal(0, result.Risk.LowerBound(0.95), 3);
    }

    private static double Oracle(EvalTable train)
    {
        var groups = Enumerable.Range(0, train.RowCount).GroupBy(r => string.Join(',', QuasiIdentifiers.Select(c => train.Columns[c].Values.Length > 0 ? train.Columns[c].Values[r] : train.Columns[c].Codes[r])));
        return groups.Sum(g => g.GroupBy(r => train.Columns[Secret].Codes[r]).Max(s => s.Count())) / (double)train.RowCount;
    }

    [Fact]
    public void Given_RecordAloneInItsCell_When_ReconstructedFromExactCounts_Then_TheEquationPinsItsSecret()
    {
        // Three records; a, b share quasi-identifier value 0, c is alone with value 1. Exact counts say: among value 1, the
        // secret is class 1. One equation fixes c; a and b split class 0 and 1 between them, which the solver leaves even.
        var spec = new ColumnSpec("q", ValueKind.Categorical, AttackRole.QuasiIdentifier, ["x", "y"]);
        var secret = new ColumnSpec("s", ValueKind.Categorical, AttackRole.Sensitive, ["no", "yes"]);
        var table = new EvalTable([EvalColumn.Categorical(spec, [0, 0, 1]), EvalColumn.Categorical(secret, [0, 1, 1])]);
        var result = LinearReconstruction.Run(new AttackData(table, table, table), [0], 1, 3, 1e-9, new SeededRandomSource(1), default);
        Assert.True(result.Accuracy.Successes >= 2, $"successes {result.Accuracy.Successes}");
    }

    [Fact]
    public void Given_PointOffTheSimplex_When_Projected_Then_ItIsTheClosestDistribution()
    {
        double[] v = [0.8, 0.6, -0.2];
        LinearReconstruction.ProjectOnSimplex(v);
        Assert.Equal(0.6, v[0], 9);
        Assert.Equal(0.4, v[1], 9);
        Assert.Equal(0, v[2], 9);
    }

    [Fact]
    public void Given_CopyOfTheTrainingData_When_AttackedThroughMarginals_Then_MembersAreSeparated()
    {
        // On the coded table a third of the records share their whole tuple with another, so no attack reaches AUC 1 on a
        // copy: the marginal attack must do at least as well as the distance to the closest record there (3 standard errors
        // of 0.02 below it at most), and well on the table with unique records.
        var (train, holdout) = Tables(4);
        var result = MarginalMembership.Run(new AttackData(train, holdout, train), null, 300, 1e-9, new SeededRandomSource(4), default);
        var distance = MembershipInference.DistanceToClosestRecord(new AttackData(train, holdout, train), 300, 1e-9, new SeededRandomSource(4), default);
        Assert.True(result.Auc > 0.6 && result.Auc >= distance.Auc - 0.06, $"AUC {result.Auc}, distance attack {distance.Auc}");
        var (uniqueTrain, uniqueHoldout) = TestTables.Split(TestTables.Mixed(2000, 4), 4);
        var unique = MarginalMembership.Run(new AttackData(uniqueTrain, uniqueHoldout, uniqueTrain), null, 300, 1e-9, new SeededRandomSource(4), default);
        Assert.True(unique.Auc > 0.7, $"AUC on unique records {unique.Auc}");
        Assert.Equal(MarginalMembership.AttackName, result.Attack);
    }

    [Fact]
    public void Given_IndependentRelease_When_AttackedThroughMarginals_Then_SuccessIsChance()
    {
        var (train, holdout) = Tables(5);
        var synthetic = IndependentMarginals.Sample(train, train.RowCount, new SeededRandomSource(6));
        var result = MarginalMembership.Run(new AttackData(train, holdout, synthetic), null, 300, 1e-9, new SeededRandomSource(5), default);
        // 300 vs 300 scores: the AUC's standard error under H0 is ≈ 0.024; ±3 SE.
        Assert.InRange(result.Auc, 0.43, 0.57);
    }

    [Fact]
    public void Given_MeasuredCliques_When_AttackedThroughMarginals_Then_OnlyTheCliquesOverEvaluatedColumnsAreScored()
    {
        var (train, _) = Tables(6);
        var coded = MarginalCoder.Fit(train, [0, 1, 2, 3, 4]).Transform(train);
        var cliques = MarginalMembership.Cliques([new(["age", "sex"], 3), new(["sex"]), new(["unknown", "sex"])], coded.Names, coded);
        Assert.Equal(2, cliques.Count);
        Assert.Equal([0, 2], cliques[0].Columns);
        Assert.Equal(3, cliques[0].Sigma);
    }

    [Fact]
    public void Given_NoMeasuredCliques_When_AttackedThroughMarginals_Then_MstsOwnChoiceIsUsed()
    {
        var (train, _) = Tables(7);
        var coded = MarginalCoder.Fit(train, [0, 1, 2, 3, 4]).Transform(train);
        var cliques = MarginalMembership.Cliques(null, coded.Names, coded);
        // Five 1-way marginals, the four edges of a spanning tree over five columns, and the whole record.
        Assert.Equal(10, cliques.Count);
        Assert.Equal(5, cliques[^1].Columns.Length);
        Assert.Equal(4, cliques.Count(c => c.Columns.Length == 2));
        Assert.Contains(cliques, c => c.Columns.SequenceEqual([0, 1])); // age and weight share a latent factor
    }
}
