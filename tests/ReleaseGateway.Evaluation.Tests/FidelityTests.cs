using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Evaluation.Fidelity;
using ReleaseGateway.Evaluation.Learning;
using ReleaseGateway.Evaluation.Protocol;
using ReleaseGateway.Evaluation.Tables;

namespace ReleaseGateway.Evaluation.Tests;

public class FidelityTests
{
    private static EvalColumn Num(params double[] values) => EvalColumn.Numeric(new ColumnSpec("x", ValueKind.Numeric, AttackRole.QuasiIdentifier, []), values);

    private static EvalColumn Cat(string name, int levels, params int[] codes) =>
        EvalColumn.Categorical(new ColumnSpec(name, ValueKind.Categorical, AttackRole.QuasiIdentifier, Enumerable.Range(0, levels).Select(l => $"v{l}").ToArray()), codes);

    [Fact]
    public void Given_IdenticalOrDisjointTables_When_TvdIsComputed_Then_ItIsZeroOrOne()
    {
        var a = new EvalTable([Cat("c", 4, 0, 1, 0, 1)]);
        var b = new EvalTable([Cat("c", 4, 2, 3, 3, 2)]);
        var coder = MarginalCoder.Fit(a, [0]);
        Assert.Equal(0, MarginalDistance.Compute(coder.Transform(a), coder.Transform(a), 1, 0).Mean, 12);
        Assert.Equal(1, MarginalDistance.Compute(coder.Transform(a), coder.Transform(b), 1, 0).Mean, 12);
    }

    [Fact]
    public void Given_OneWayMarginals_When_TvdIsComputed_Then_ItIsHalfTheL1Distance()
    {
        // p = (¾, ¼), q = (¼, ¾): ½(½ + ½) = ½.
        var a = new EvalTable([Cat("c", 2, 0, 0, 0, 1)]);
        var b = new EvalTable([Cat("c", 2, 1, 1, 1, 0)]);
        var coder = MarginalCoder.Fit(a, [0]);
        Assert.Equal(0.5, MarginalDistance.Tvd(coder.Transform(a), coder.Transform(b), [0]), 12);
    }

    [Fact]
    public void Given_ManyColumns_When_ThreeWayMarginalsAreChosen_Then_TheyAreCappedAtThreeHundred()
    {
        var table = new EvalTable(Enumerable.Range(0, 15).Select(i => Cat($"c{i}", 2, 0, 1)).ToArray());
        var coder = MarginalCoder.Fit(table, Enumerable.Range(0, 15).ToArray());
        var coded = coder.Transform(table);
        Assert.Equal(300, MarginalDistance.Compute(coded, coded, 3, 1).Marginals);
        Assert.Equal(105, MarginalDistance.Compute(coded, coded, 2, 1).Marginals);
    }

    [Fact]
    public void Given_NumericColumnWithManyValues_When_Binned_Then_ItIsCutInto32Bins()
    {
        var table = new EvalTable([Num(Enumerable.Range(0, 100).Select(i => (double)i).ToArray())]);
        var coded = MarginalCoder.Fit(table, [0]).Transform(table);
        Assert.Equal(33, coded.DomainSizes[0]);
        Assert.Equal(31, coded.Codes[0].Max());
    }

    [Fact]
    public void Given_ShiftedDistribution_When_KsAndWassersteinAreComputed_Then_TheyMatchTheory()
    {
        // Uniform grid shifted by 0.5 of a range of 9: W₁ = 0.5, KS = 1/10.
        var real = Num(Enumerable.Range(0, 10).Select(i => (double)i).ToArray());
        var synthetic = Num(Enumerable.Range(0, 10).Select(i => i + 0.5).ToArray());
        var d = Distributions.Compare(real, synthetic);
        Assert.Equal(0.5, d.Wasserstein, 9);
        Assert.Equal(0.1, d.KolmogorovSmirnov, 9);
        Assert.Equal(0.5 / 9, d.WassersteinNormalised, 9);
    }

    [Fact]
    public void Given_ColumnPairsOfEachKind_When_AssociationsAreComputed_Then_PearsonCramersVAndCorrelationRatioAreUsed()
    {
        var x = Num(1, 2, 3, 4);
        var y = EvalColumn.Numeric(new ColumnSpec("y", ValueKind.Numeric, AttackRole.QuasiIdentifier, []), [2, 4, 6, 8]);
        var a = Cat("a", 2, 0, 0, 1, 1);
        var b = Cat("b", 2, 1, 1, 0, 0);
        Assert.Equal(1, Associations.Pair(x, y), 9);
        Assert.Equal(1, Associations.Pair(a, b), 9);
        // Groups {1,2} and {3,4}: between-group SS 4 of total 5 → η = √0.8.
        Assert.Equal(Math.Sqrt(0.8), Associations.Pair(a, x), 9);
        Assert.Equal(0, Associations.Pair(Num(3, 3, 3, 3), y), 9);
    }

    [Fact]
    public void Given_CopyOfTheData_When_UtilityIsMeasured_Then_TstrRatioIsCloseToOneAndTheDiscriminatorIsNearChance()
    {
        var (train, holdout) = TestTables.Split(TestTables.Mixed(1500, 3), 3);
        var tstr = ModelUtility.Tstr(train, holdout, train, 4, [0, 1, 2, 3], 2000, new SeededRandomSource(1), default);
        Assert.InRange(tstr.Ratio, 0.9, 1.1);
        // A copy of the training data is a sample of the same population as the holdout.
        var disc = ModelUtility.Discriminator(train, holdout, train, [0, 1, 2, 3, 4], 2000, new SeededRandomSource(2), default);
        Assert.InRange(disc.Auc, 0.35, 0.65);
    }

    [Fact]
    public void Given_IndependentMarginalsOfCorrelatedData_When_TheDiscriminatorIsTrained_Then_ItSeparatesThem()
    {
        var (train, holdout) = TestTables.Split(TestTables.Mixed(3000, 4), 4);
        var synthetic = IndependentMarginals.Sample(train, train.RowCount, new SeededRandomSource(1));
        Assert.True(ModelUtility.Discriminator(train, holdout, synthetic, [0, 1, 2, 3, 4], 3000, new SeededRandomSource(3), default).Auc > 0.6);
    }

    [Fact]
    public void Given_SkewedTarget_When_PredictedForBalancedAccuracy_Then_TheMinorityClassIsFound()
    {
        // One feature; class 1 (10 % of rows) sits at x = 1 half the time, class 0 at x = 1 a tenth of the time. At x = 1,
        // p(1 | x) = 0.05/(0.05 + 0.09) ≈ 0.36 < ½, so argmax p predicts 0 everywhere (balanced accuracy ½), while
        // argmax p/π predicts 1 there: recall ½ on class 1 and 0.9 on class 0, balanced accuracy 0.7.
        var random = new SeededRandomSource(3);
        const int n = 4000;
        var x = new double[n];
        var y = new int[n];
        for (var i = 0; i < n; i++)
        {
            y[i] = random.NextDouble() < 0.1 ? 1 : 0;
            x[i] = random.NextDouble() < (y[i] == 1 ? 0.5 : 0.1) ? 1 : 0;
        }

        var model = LogisticRegression.Fit(x, n, 1, y, 2);
        var plain = ClassifierExtensions.BalancedAccuracy(y, model.Predict(x, n));
        var balanced = ClassifierExtensions.BalancedAccuracy(y, BalancedClassifier.Wrap(model, y).Predict(x, n));
        Assert.Equal(0.5, plain, 2);
        Assert.InRange(balanced, 0.65, 0.75);
    }

    [Fact]
    public void Bug_a_class_never_seen_in_training_won_every_row_after_prior_correction()
    {
        // Three classes, the third (a categorical's "missing") never observed: logistic regression still gives it a tiny
        // probability, which divided by a pseudo-count frequency beat both real classes on every row.
        double[] x = [0, 0, 1, 1];
        int[] y = [0, 0, 1, 1];
        var model = BalancedClassifier.Wrap(LogisticRegression.Fit(x, 4, 1, y, 3), y);
        Assert.Equal([0, 0, 1, 1], model.Predict(x, 4));
    }
}
