using ReleaseGateway.Evaluation.Tables;

namespace ReleaseGateway.Evaluation.Tests;

/// <summary>Small seeded tables with correlated mixed-type columns; the continuous columns make records unique, as in real clinical data.</summary>
internal static class TestTables
{
    /// <param name="rows">Rows.</param>
    /// <param name="seed">Seed.</param>
    /// <param name="coded">Round age and weight to bands of 5, as a synthesizer's coded domain would: on raw
    /// continuous values even a marginal sampler copies rare exact values, which univariate singling out rightly flags.</param>
    public static EvalTable Mixed(int rows, int seed, bool coded = false)
    {
        var random = new Random(seed);
        var age = new double[rows];
        var weight = new double[rows];
        var sex = new int[rows];
        var stage = new int[rows];
        var outcome = new int[rows];
        for (var r = 0; r < rows; r++)
        {
            var z = Gauss(random);
            age[r] = Math.Round(55 + 12 * z + 4 * Gauss(random));
            weight[r] = Math.Round(75 + 8 * z + 10 * Gauss(random), 1);
            if (coded)
            {
                age[r] = 5 * Math.Round(age[r] / 5);
                weight[r] = 5 * Math.Round(weight[r] / 5);
            }
            sex[r] = random.Next(2);
            stage[r] = Math.Clamp((int)Math.Floor(2 + z + Gauss(random)), 0, 3);
            outcome[r] = stage[r] + (sex[r] == 1 ? 1 : 0) + Gauss(random) > 2.5 ? 1 : 0;
        }

        return new EvalTable(
        [
            EvalColumn.Numeric(new ColumnSpec("age", ValueKind.Numeric, AttackRole.QuasiIdentifier, []), age),
            EvalColumn.Numeric(new ColumnSpec("weight", ValueKind.Numeric, AttackRole.QuasiIdentifier, []), weight),
            EvalColumn.Categorical(new ColumnSpec("sex", ValueKind.Categorical, AttackRole.QuasiIdentifier, ["F", "M"]), sex),
            EvalColumn.Categorical(new ColumnSpec("stage", ValueKind.Categorical, AttackRole.QuasiIdentifier, ["I", "II", "III", "IV"]), stage),
            EvalColumn.Categorical(new ColumnSpec("outcome", ValueKind.Categorical, AttackRole.QuasiIdentifier, ["alive", "dead"]), outcome),
        ]);
    }

    public static (EvalTable Train, EvalTable Holdout) Split(EvalTable table, int seed)
    {
        var split = Protocol.HoldoutSplit.Split(table.RowCount, 0.2, seed);
        return (table.Select(split.Train), table.Select(split.Holdout));
    }

    /// <summary>Budget small enough for unit tests (each evaluator well under a second on 2 cores).</summary>
    public static EvaluationBudget SmallBudget { get; } = new(
        MembershipTargets: 400, DensityTargets: 300, SinglingOutAttacks: 200, LinkabilityAttacks: 400, InferenceAttacks: 300, ModelRows: 1500);

    private static double Gauss(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
