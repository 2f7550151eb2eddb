using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Evaluation.Gates;
using ReleaseGateway.Evaluation.Protocol;
using ReleaseGateway.Evaluation.Tables;

namespace ReleaseGateway.Evaluation.Tests;

public class EvaluatorTests
{
    private static readonly string[] PrivacyGates =
        ["maxMembershipTprAt1PctFpr", "maxEmpiricalEpsilonRatio", "maxAttributeInferenceRisk", "maxSinglingOutRisk", "maxLinkabilityRisk"];

    private static EvaluationInput Input(EvalTable train, EvalTable holdout, EvalTable synthetic) => new()
    {
        Train = train, Holdout = holdout, Synthetic = synthetic, ClaimedEpsilon = 1, Seed = 1, Budget = TestTables.SmallBudget,
    };

    [Fact]
    public async Task Given_CopyOfTrainingData_When_Evaluated_Then_EveryPrivacyGateFails()
    {
        var (train, holdout) = TestTables.Split(TestTables.Mixed(1500, 1), 1);
        var report = await Evaluator.RunAsync(Input(train, holdout, train));
        Assert.False(report.Passed);
        Assert.Empty(report.Errors);
        foreach (var gate in PrivacyGates)
        {
            Assert.Equal(GateStatus.Fail, report.Gates.Single(g => g.Name == gate).Status);
        }

        Assert.Equal(0, report.Gates.Single(g => g.Name == "maxTvd2").Value!.Value, 9);
    }

    [Fact]
    public async Task Given_IndependentMarginals_When_Evaluated_Then_PrivacyGatesPass()
    {
        var (train, holdout) = TestTables.Split(TestTables.Mixed(1500, 2, coded: true), 2);
        var synthetic = IndependentMarginals.Sample(train, train.RowCount, new SeededRandomSource(3));
        var report = await Evaluator.RunAsync(Input(train, holdout, synthetic));
        Assert.Empty(report.Errors);
        foreach (var gate in PrivacyGates)
        {
            var result = report.Gates.Single(g => g.Name == gate);
            Assert.True(result.Status == GateStatus.Pass, $"{gate}: {result.Value} ({result.Detail})");
        }
    }

    [Fact]
    public async Task Given_AShadowAttackWithFewNonMembers_When_Gated_Then_ItIsReportedBesideTheGateNotGated()
    {
        // k = 1, R = 2: one test pair, so one non-member — a 1 % FPR cannot be resolved; the distance and density
        // attacks (hundreds of non-members) carry the gate.
        var (train, holdout) = TestTables.Split(TestTables.Mixed(1000, 6, coded: true), 6);
        var synthetic = IndependentMarginals.Sample(train, train.RowCount, new SeededRandomSource(7));
        var report = await Evaluator.RunAsync(Input(train, holdout, synthetic) with
        {
            Generator = IndependentMarginals.Generator, ShadowModel = new ShadowModelSettings(1, 2),
        });
        Assert.Empty(report.Errors);
        Assert.Contains(report.Privacy.Membership, m => m.Attack == "shadow-model" && m.NonMembers < 100);
        var gate = report.Gates.Single(g => g.Name == GateCatalog.MembershipTpr.Key);
        Assert.DoesNotContain("worst attack: shadow-model", gate.Detail, StringComparison.Ordinal);
        Assert.Contains("reported, not gated (fewer than 100 non-members cannot resolve a 1 % FPR): shadow-model", gate.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_ConstantColumn_When_Evaluated_Then_NoEvaluatorFails()
    {
        var table = TestTables.Mixed(800, 4);
        var columns = table.Columns.ToArray();
        columns[3] = EvalColumn.Categorical(columns[3].Spec, new int[800]);
        columns[1] = EvalColumn.Numeric(columns[1].Spec, Enumerable.Repeat(70.0, 800).ToArray());
        var (train, holdout) = TestTables.Split(new EvalTable(columns), 4);
        var report = await Evaluator.RunAsync(Input(train, holdout, IndependentMarginals.Sample(train, train.RowCount, new SeededRandomSource(5))));
        Assert.Empty(report.Errors);
        var stage = report.Privacy.AttributeInference.Single(a => a.Secret == "stage");
        Assert.Equal(0, stage.NearestNeighbour.Value, 9);
    }

    [Fact]
    public async Task Given_SingleRow_When_Evaluated_Then_GatesFailClosedWithoutThrowing()
    {
        var one = TestTables.Mixed(1, 5);
        var empty = one.Select([]);
        var report = await Evaluator.RunAsync(Input(one, empty, one));
        Assert.False(report.Passed);
        Assert.NotEmpty(report.Errors);
        Assert.All(report.Gates.Where(g => PrivacyGates.Contains(g.Name)), g => Assert.Equal(GateStatus.Fail, g.Status));
    }

    [Fact]
    public async Task Given_TimeoutElapsed_When_Evaluated_Then_EveryRunningEvaluatorFailsClosed()
    {
        var (train, holdout) = TestTables.Split(TestTables.Mixed(1500, 6), 6);
        var input = Input(train, holdout, train) with { Timeout = TimeSpan.FromTicks(1) };
        var report = await Evaluator.RunAsync(input);
        Assert.False(report.Passed);
        Assert.Contains(report.Errors, e => e.Message.StartsWith("timed out", StringComparison.Ordinal));
        // An evaluator that finished before the deadline keeps its result (fast ones can, on a quiet machine); the
        // ones still running fail closed, so the report fails.
        Assert.Contains(report.Gates, g => g.Status != GateStatus.Pass);
    }

    [Fact]
    public async Task Given_CallerCancellation_When_Evaluated_Then_CancellationPropagates()
    {
        var (train, holdout) = TestTables.Split(TestTables.Mixed(500, 7), 7);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Evaluator.RunAsync(Input(train, holdout, train), cts.Token));
    }

    [Fact]
    public async Task Given_NoClaimedEpsilon_When_Evaluated_Then_EpsilonGateIsNotApplicable()
    {
        var (train, holdout) = TestTables.Split(TestTables.Mixed(600, 8), 8);
        var report = await Evaluator.RunAsync(Input(train, holdout, IndependentMarginals.Sample(train, train.RowCount, new SeededRandomSource(1))) with { ClaimedEpsilon = null });
        Assert.Equal(GateStatus.NotApplicable, report.Gates.Single(g => g.Name == "maxEmpiricalEpsilonRatio").Status);
    }

    [Fact]
    public void Given_UnknownTarget_When_Started_Then_InputIsRejected()
    {
        var (train, holdout) = TestTables.Split(TestTables.Mixed(100, 9), 9);
        Assert.Throws<ArgumentException>(() => { _ = Evaluator.RunAsync(Input(train, holdout, train) with { Target = "nope" }); });
    }

    [Fact]
    public async Task Given_SameSeed_When_EvaluatedTwice_Then_GateValuesAreIdentical()
    {
        var (train, holdout) = TestTables.Split(TestTables.Mixed(600, 10), 10);
        var synthetic = IndependentMarginals.Sample(train, train.RowCount, new SeededRandomSource(1));
        var a = await Evaluator.RunAsync(Input(train, holdout, synthetic));
        var b = await Evaluator.RunAsync(Input(train, holdout, synthetic));
        Assert.Equal(a.Gates.Select(g => g.Value), b.Gates.Select(g => g.Value));
    }
}
