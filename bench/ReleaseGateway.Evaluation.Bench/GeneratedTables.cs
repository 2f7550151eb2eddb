using ReleaseGateway.Evaluation.Tables;

namespace ReleaseGateway.Evaluation.Bench;

/// <summary>Synthetic-looking clinical tables of any size, with correlated columns, for timing runs.</summary>
internal static class GeneratedTables
{
    /// <summary>
    /// <paramref name="rows"/> rows of 15 columns (5 categorical, 10 numeric), every column driven by two
    /// shared latent Gaussians so that marginals, pairs and triples are all non-trivial; 2 % missing cells.
    /// </summary>
    public static EvalTable Wide(int rows, int seed)
    {
        var random = new Random(seed);
        var columns = new List<EvalColumn>();
        var latent = Enumerable.Range(0, rows).Select(_ => (Gauss(random), Gauss(random))).ToArray();
        int[] levels = [2, 3, 5, 8, 20];
        for (var c = 0; c < levels.Length; c++)
        {
            var spec = new ColumnSpec($"cat{c}", ValueKind.Categorical, AttackRole.QuasiIdentifier, Enumerable.Range(0, levels[c]).Select(l => $"L{l}").ToArray());
            var codes = latent.Select(z =>
            {
                if (random.NextDouble() < 0.02)
                {
                    return -1;
                }

                var u = Phi(0.7 * (c % 2 == 0 ? z.Item1 : z.Item2) + 0.7 * Gauss(random));
                return Math.Min(levels[c] - 1, (int)(u * levels[c]));
            }).ToArray();
            columns.Add(EvalColumn.Categorical(spec, codes));
        }

        for (var c = 0; c < 10; c++)
        {
            var spec = new ColumnSpec($"num{c}", ValueKind.Numeric, AttackRole.QuasiIdentifier, []);
            var integer = c % 3 == 0;
            var values = latent.Select(z =>
            {
                if (random.NextDouble() < 0.02)
                {
                    return double.NaN;
                }

                var v = 50 + 10 * (0.6 * z.Item1 + 0.4 * (c % 2 == 0 ? z.Item2 : -z.Item2) + 0.7 * Gauss(random)) + c;
                return integer ? Math.Round(v) : Math.Round(v, 2);
            }).ToArray();
            columns.Add(EvalColumn.Numeric(spec, values));
        }

        return new EvalTable(columns);
    }

    /// <summary>A 7-column clinical-style table (age, sex, bmi, systolic, diagnosis, smoker, cholesterol).</summary>
    public static EvalTable Clinical(int rows, int seed)
    {
        var random = new Random(seed);
        var age = new double[rows];
        var sex = new int[rows];
        var bmi = new double[rows];
        var sbp = new double[rows];
        var diagnosis = new int[rows];
        var smoker = new int[rows];
        var cholesterol = new double[rows];
        for (var r = 0; r < rows; r++)
        {
            age[r] = Math.Clamp(Math.Round(50 + 15 * Gauss(random)), 18, 95);
            sex[r] = random.Next(2);
            bmi[r] = Math.Round(Math.Clamp(26 + 0.05 * (age[r] - 50) + 4 * Gauss(random), 15, 55), 1);
            sbp[r] = Math.Round(120 + 0.5 * (age[r] - 50) + 0.8 * (bmi[r] - 26) + 12 * Gauss(random));
            smoker[r] = Math.Min(2, (int)(3 * Phi(0.5 * Gauss(random) + 0.3 * sex[r])));
            diagnosis[r] = Math.Min(9, (int)(10 * Phi(0.02 * (age[r] - 50) + 0.3 * smoker[r] + Gauss(random))));
            cholesterol[r] = Math.Round(190 + 0.6 * (age[r] - 50) + 20 * Gauss(random), 1);
        }

        ColumnSpec Num(string name) => new(name, ValueKind.Numeric, AttackRole.QuasiIdentifier, []);
        ColumnSpec Cat(string name, int k) => new(name, ValueKind.Categorical, AttackRole.QuasiIdentifier, Enumerable.Range(0, k).Select(l => $"{name}{l}").ToArray());
        return new EvalTable(
        [
            EvalColumn.Numeric(Num("age"), age), EvalColumn.Categorical(Cat("sex", 2), sex), EvalColumn.Numeric(Num("bmi"), bmi),
            EvalColumn.Numeric(Num("systolic"), sbp), EvalColumn.Categorical(Cat("diagnosis", 10), diagnosis),
            EvalColumn.Categorical(Cat("smoker", 3), smoker), EvalColumn.Numeric(Num("cholesterol"), cholesterol),
        ]);
    }

    private static double Gauss(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static double Phi(double x) => 0.5 * (1 + MathNet.Numerics.SpecialFunctions.Erf(x / Math.Sqrt(2)));
}
