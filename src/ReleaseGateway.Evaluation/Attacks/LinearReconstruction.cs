using ReleaseGateway.Evaluation.Fidelity;
using ReleaseGateway.Evaluation.Statistics;
using ReleaseGateway.Evaluation.Tables;
using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Evaluation.Attacks;

/// <summary>Outcome of the linear-reconstruction attack on one secret column.</summary>
/// <param name="Secret">Secret column name.</param>
/// <param name="Queries">Counting queries the attacker answered from the synthetic data (cells of the marginals used, times the secret's classes).</param>
/// <param name="Marginals">Quasi-identifier marginals crossed with the secret.</param>
/// <param name="Accuracy">Share of training targets whose secret (class, or bin of a numeric secret) was reconstructed exactly, with its 95 % Wilson interval.</param>
/// <param name="ControlAccuracy">The same on holdout targets, reconstructed in the same system.</param>
/// <param name="BaselineAccuracy">Share of training targets holding the synthetic data's majority class (the guess without quasi-identifiers).</param>
/// <param name="Risk">Anonymeter residual risk (accuracy on training targets over control targets, <see cref="PrivacyRisk"/>).</param>
/// <param name="Membership">Reconstructed probability of each target's true secret used as a membership score (members: training targets, non-members: control targets).</param>
public sealed record ReconstructionResult(
    string Secret,
    int Queries,
    int Marginals,
    Rate Accuracy,
    Rate ControlAccuracy,
    Rate BaselineAccuracy,
    PrivacyRisk Risk,
    MembershipAttackResult Membership);

/// <summary>A proportion with its 95 % Wilson interval.</summary>
/// <param name="Value">Point estimate.</param>
/// <param name="Lower">Lower end.</param>
/// <param name="Upper">Upper end.</param>
/// <param name="Successes">Successes.</param>
/// <param name="Trials">Trials.</param>
public sealed record Rate(double Value, double Lower, double Upper, int Successes, int Trials)
{
    /// <summary>The observed rate with its 95 % Wilson score interval.</summary>
    public static Rate Of(int successes, int trials)
    {
        var value = trials == 0 ? 0 : successes / (double)trials;
        var (centre, error) = BinomialConfidence.Wilson(successes, trials, 0.95);
        return new Rate(value, Math.Max(0, centre - error), Math.Min(1, centre + error), successes, trials);
    }
}

/// <summary>
/// Attribute inference by linear reconstruction (Annamalai, Gadotti &amp; Rocher, "A linear reconstruction approach for
/// attribute inference attacks against synthetic data", USENIX Security 2024, arXiv 2301.10053). The attacker knows the
/// quasi-identifiers of every record of a population P — here the training and the holdout records together, without
/// knowing which are which — and reads counting queries off the synthetic data S: for each
/// marginal C of the quasi-identifiers (every single one, pairs up to <see cref="MaxPairs"/>, and the whole tuple), each cell v and each
/// secret class y, b(C, v, y) = |P|·|{s ∈ S : s_C = v, s_secret = y}|/|S|. It then solves the relaxed system
/// Σ_{i ∈ P : x_i,C = v} t_i,y = b(C, v, y) for t_i in the probability simplex (one row per record, one column per class)
/// by cyclic projections (block Kaczmarz over the marginals, then the projection onto the simplex, per sweep: POCS, which
/// reaches a point satisfying every equation when the counts are consistent, as a copy's are), and guesses
/// argmax_y t_i,y. A record alone in some cell is pinned down by one equation; a release that reproduces the training
/// data's joint counts therefore gives its members away, while one that keeps only the secret's marginal lets the
/// reconstruction do no better than the majority class. Training records (members) and holdout records (control) are
/// reconstructed in the same system, so without leakage they fare alike; the risk is Anonymeter's residual risk between
/// the two, the baseline the synthetic majority class. A numeric secret is reconstructed as its decile of the training
/// values (on the evaluation's common coding, <see cref="MarginalCoder"/>): the guess is right when its decile is.
/// </summary>
public static class LinearReconstruction
{
    /// <summary>Cap on pairs of quasi-identifiers queried (a seeded random choice when there are more); keeps the cost linear in the rows.</summary>
    public const int MaxPairs = 40;

    /// <summary>Sweeps over the marginals (a record alone in a cell is pinned after one).</summary>
    public const int Iterations = 20;

    /// <summary>Relaxation of each block projection, in (0, 2]; 1 is the exact projection.</summary>
    public const double Relaxation = 1.0;

    /// <summary>Runs the attack on one secret column.</summary>
    /// <param name="data">Tables; training, holdout and synthetic data must be non-empty.</param>
    /// <param name="quasiIdentifiers">Columns the attacker knows for every record (must not include the secret; may be empty).</param>
    /// <param name="secret">Index of the secret column.</param>
    /// <param name="attacks">Training and control targets scored (equal numbers, at most the smaller set).</param>
    /// <param name="delta">δ for the empirical ε bound of the membership view.</param>
    /// <param name="random">Random source for the choice of pairs and of targets.</param>
    /// <param name="cancellationToken">Stops the attack.</param>
    public static ReconstructionResult Run(AttackData data, IReadOnlyList<int> quasiIdentifiers, int secret, int attacks, double delta, IRandomSource random, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(quasiIdentifiers);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(attacks, 1);
        if (quasiIdentifiers.Contains(secret))
        {
            throw new ArgumentException("The secret cannot be a quasi-identifier.", nameof(quasiIdentifiers));
        }

        AttackData.RequireRows(data.Train, "training");
        AttackData.RequireRows(data.Holdout, "holdout");
        AttackData.RequireRows(data.Synthetic, "synthetic");
        int[] columns = [secret, .. quasiIdentifiers];
        var coder = MarginalCoder.Fit(data.Train, columns);
        var (train, holdout, synthetic) = (coder.Transform(data.Train), coder.Transform(data.Holdout), coder.Transform(data.Synthetic));
        if (data.Train.Columns[secret].Kind == ValueKind.Numeric)
        {
            (train, holdout, synthetic) = Deciles(train, holdout, synthetic);
        }

        var classes = train.DomainSizes[0];

        var marginals = Enumerable.Range(1, quasiIdentifiers.Count).Select(c => new[] { c }).ToList();
        var pairs = new List<int[]>();
        for (var a = 1; a <= quasiIdentifiers.Count; a++)
        {
            for (var b = a + 1; b <= quasiIdentifiers.Count; b++)
            {
                pairs.Add([a, b]);
            }
        }

        var chosen = pairs.ToArray();
        random.Shuffle(chosen.AsSpan());
        marginals.AddRange(chosen.Take(MaxPairs));
        if (quasiIdentifiers.Count > 2)
        {
            // The whole quasi-identifier tuple: a record unique in it is pinned by one equation whenever the release
            // reproduces its exact combination, as a copy does.
            marginals.Add([.. Enumerable.Range(1, quasiIdentifiers.Count)]);
        }

        var synClass = new double[classes];
        foreach (var code in synthetic.Codes[0])
        {
            synClass[code]++;
        }

        var majority = Array.IndexOf(synClass, synClass.Max());
        var queries = marginals.Select(m => new QueryFamily(m, synthetic, classes)).ToArray();
        // One system over training and holdout records together: members and non-members are solved side by side, so
        // without leakage they are exchangeable and both the risk and the membership view are fair tests.
        var population = Concat(train, holdout);
        var t = Solve(population, queries, synClass, cancellationToken);

        var n = Math.Min(attacks, Math.Min(train.Rows, holdout.Rows));
        var targets = AttackData.Sample(train.Rows, n, random);
        var controls = AttackData.Sample(holdout.Rows, n, random).Select(r => train.Rows + r).ToArray();
        var truth = population.Codes[0];
        var hits = targets.Count(r => Guess(t, r, classes, synClass) == truth[r]);
        var controlHits = controls.Count(r => Guess(t, r, classes, synClass) == truth[r]);
        var baselineHits = targets.Count(r => truth[r] == majority);
        var memberScores = targets.Select(r => t[(r * classes) + truth[r]]).ToArray();
        var nonMemberScores = controls.Select(r => t[(r * classes) + truth[r]]).ToArray();
        return new ReconstructionResult(
            data.Train.Columns[secret].Name,
            queries.Sum(q => q.Cells) * classes,
            marginals.Count,
            Rate.Of(hits, n),
            Rate.Of(controlHits, n),
            Rate.Of(baselineHits, n),
            PrivacyRisk.FromCounts(n, hits, n, controlHits, baselineHits),
            MembershipAttackResult.FromScores("reconstruction", memberScores, nonMemberScores, delta, random));
    }

    // A numeric secret is guessed to within its decile of the training values (as the model-based inference guesses one
    // of 10 quantile bins): the solve costs rows × classes per equation, and 33 bins of equal width tripled the battery's
    // reconstruction time for a finer answer than Anonymeter's 5 % tolerance asks.
    private static (CodedTable, CodedTable, CodedTable) Deciles(CodedTable train, CodedTable holdout, CodedTable synthetic)
    {
        var missing = train.DomainSizes[0] - 1;
        var present = train.Codes[0].Where(c => c != missing).Order().ToArray();
        var cuts = present.Length == 0 ? [] : new SortedSet<int>(Enumerable.Range(1, 9).Select(d => present[d * (present.Length - 1) / 10])).ToArray();
        var size = cuts.Length + 2;
        CodedTable Recode(CodedTable t)
        {
            var codes = t.Codes[0].Select(c => c == missing ? size - 1 : (Array.BinarySearch(cuts, c) is var i && i >= 0 ? i : ~i)).ToArray();
            return t with { DomainSizes = [size, .. t.DomainSizes.Skip(1)], Codes = [codes, .. t.Codes.Skip(1)] };
        }

        return (Recode(train), Recode(holdout), Recode(synthetic));
    }

    private static CodedTable Concat(CodedTable a, CodedTable b) =>
        new(a.Names, a.DomainSizes, [.. a.Codes.Select((codes, c) => (int[])[.. codes, .. b.Codes[c]])], a.Rows + b.Rows);

    // The guess is the class with the largest reconstructed weight; ties go to the class the synthetic data holds most often.
    private static int Guess(double[] t, int row, int classes, double[] synClass)
    {
        var best = 0;
        for (var y = 1; y < classes; y++)
        {
            var (a, b) = (t[(row * classes) + y], t[(row * classes) + best]);
            if (a > b + 1e-9 || (Math.Abs(a - b) <= 1e-9 && synClass[y] > synClass[best]))
            {
                best = y;
            }
        }

        return best;
    }

    private static double[] Solve(CodedTable population, QueryFamily[] queries, double[] synClass, CancellationToken cancellationToken)
    {
        var classes = synClass.Length;
        var rows = population.Rows;
        var total = synClass.Sum();
        var t = new double[rows * classes];
        for (var r = 0; r < rows; r++)
        {
            for (var y = 0; y < classes; y++)
            {
                t[(r * classes) + y] = synClass[y] / total;
            }
        }

        // Each record's cell in every marginal, and the cell sizes, are fixed: compute them once (before the targets, as
        // cells new to the release join their family here).
        var cells = queries.Select(q => q.CellsOf(population)).ToArray();
        var sizes = queries.Select((q, k) => Sizes(cells[k], q.Cells)).ToArray();
        var targets = queries.Select(q => q.Targets(rows)).ToArray();
        for (var iteration = 0; iteration < Iterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var k = 0; k < queries.Length; k++)
            {
                // Project onto this family's equations: its cells are disjoint, so the block projection is exact, each
                // record in a cell moving by the cell's residual over its size.
                var residual = (double[])targets[k].Clone();
                var (cellsK, sizesK) = (cells[k], sizes[k]);
                for (var r = 0; r < rows; r++)
                {
                    var cell = cellsK[r];
                    for (var y = 0; y < classes; y++)
                    {
                        residual[(cell * classes) + y] -= t[(r * classes) + y];
                    }
                }

                Parallel.For(0, rows, r =>
                {
                    var cell = cellsK[r];
                    for (var y = 0; y < classes; y++)
                    {
                        t[(r * classes) + y] += Relaxation * residual[(cell * classes) + y] / sizesK[cell];
                    }
                });
            }

            // Then onto the simplex, once per sweep: cyclic projections onto the families and the simplex converge to a
            // point of their intersection when it is not empty (Bregman 1965), and sorting every row after every family
            // cost more than the rest of the sweep.
            Parallel.For(0, rows, r => ProjectOnSimplex(t.AsSpan(r * classes, classes)));
        }

        return t;
    }

    private static int[] Sizes(int[] cells, int count)
    {
        var sizes = new int[count];
        foreach (var c in cells)
        {
            sizes[c]++;
        }

        return sizes;
    }

    /// <summary>Euclidean projection onto the probability simplex (Held, Wolfe &amp; Crowder 1974; Duchi et al. 2008).</summary>
    public static void ProjectOnSimplex(Span<double> v)
    {
        Span<double> sorted = stackalloc double[v.Length];
        v.CopyTo(sorted);
        sorted.Sort();
        double cumulative = 0, theta = 0;
        for (var i = sorted.Length - 1; i >= 0; i--)
        {
            cumulative += sorted[i];
            var candidate = (cumulative - 1) / (sorted.Length - i);
            if (sorted[i] - candidate > 0)
            {
                theta = candidate;
            }
        }

        for (var i = 0; i < v.Length; i++)
        {
            v[i] = Math.Max(0, v[i] - theta);
        }
    }

    /// <summary>
    /// One quasi-identifier marginal crossed with the secret: the cells that occur (in the release or in a population
    /// attacked), numbered densely, and the synthetic frequency of each (cell, class).
    /// </summary>
    private sealed class QueryFamily
    {
        private readonly int[] columns;
        private readonly int classes;
        private readonly Dictionary<long, int> index = [];
        private readonly List<double> frequencies = [];

        public QueryFamily(int[] columns, CodedTable synthetic, int classes)
        {
            this.columns = columns;
            this.classes = classes;
            for (var r = 0; r < synthetic.Rows; r++)
            {
                frequencies[(CellOf(synthetic, r) * classes) + synthetic.Codes[0][r]] += 1.0 / synthetic.Rows;
            }
        }

        public int Cells => index.Count;

        /// <summary>Each row's cell; cells the release never shows are added with frequency 0.</summary>
        public int[] CellsOf(CodedTable table) => Enumerable.Range(0, table.Rows).Select(r => CellOf(table, r)).ToArray();

        public double[] Targets(int rows) => frequencies.Select(f => f * rows).ToArray();

        private int CellOf(CodedTable table, int row)
        {
            var key = MarginalMembership.Key(table, columns, row);
            if (!index.TryGetValue(key, out var cell))
            {
                cell = index.Count;
                index[key] = cell;
                frequencies.AddRange(new double[classes]);
            }

            return cell;
        }
    }
}
