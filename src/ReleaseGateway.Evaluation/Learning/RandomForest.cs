using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Evaluation.Learning;

/// <summary>Settings of <see cref="RandomForest"/>.</summary>
/// <param name="Trees">Number of trees.</param>
/// <param name="MaxDepth">Maximum depth of a tree.</param>
/// <param name="MinLeaf">Minimum rows in a leaf.</param>
/// <param name="Bins">Candidate split points per feature (quantiles of the training data), ≤ 255.</param>
public sealed record RandomForestOptions(int Trees = 40, int MaxDepth = 12, int MinLeaf = 3, int Bins = 32);

/// <summary>
/// Random forest classifier (Breiman 2001): bootstrap samples, √p features tried per split, Gini
/// impurity, candidate thresholds at training quantiles (histogram splitting as in LightGBM), leaves
/// holding class frequencies; the forest averages them.
/// </summary>
public sealed class RandomForest : IClassifier
{
    private readonly Node[][] trees;
    private readonly int width;

    private RandomForest(Node[][] trees, int width, int classes)
    {
        this.trees = trees;
        this.width = width;
        Classes = classes;
    }

    /// <inheritdoc />
    public int Classes { get; }

    /// <summary>Fits a forest; <paramref name="random"/> seeds the bootstrap and feature sampling of every tree.</summary>
    public static RandomForest Fit(double[] x, int rows, int width, int[] y, int classes, RandomForestOptions options, IRandomSource random, CancellationToken cancellationToken = default)
    {
        LogisticRegression.Check(x, rows, width, y, classes);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        if (options.Trees < 1 || options.MaxDepth < 1 || options.MinLeaf < 1 || options.Bins is < 2 or > 255)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Trees, depth and leaf size must be positive and bins in 2..255.");
        }

        var (cuts, binned) = Bin(x, rows, width, options.Bins);
        var seeds = Enumerable.Range(0, options.Trees).Select(_ => (int)(random.NextUInt64() >> 33)).ToArray();
        var trees = new Node[options.Trees][];
        Parallel.For(0, options.Trees, new ParallelOptions { CancellationToken = cancellationToken }, t =>
        {
            var builder = new TreeBuilder(binned, cuts, rows, width, y, classes, options, new SeededRandomSource(seeds[t]));
            trees[t] = builder.Build();
        });
        return new RandomForest(trees, width, classes);
    }

    /// <inheritdoc />
    public double[] PredictProbabilities(double[] x, int rows)
    {
        ArgumentNullException.ThrowIfNull(x);
        var result = new double[rows * Classes];
        for (var i = 0; i < rows; i++)
        {
            foreach (var tree in trees)
            {
                var node = 0;
                while (tree[node].Leaf is null)
                {
                    var n = tree[node];
                    node = x[i * width + n.Feature] <= n.Threshold ? n.Left : n.Right;
                }

                var leaf = tree[node].Leaf!;
                for (var c = 0; c < Classes; c++)
                {
                    result[i * Classes + c] += leaf[c] / trees.Length;
                }
            }
        }

        return result;
    }

    private static (double[][] Cuts, byte[] Binned) Bin(double[] x, int rows, int width, int bins)
    {
        var cuts = new double[width][];
        var binned = new byte[rows * width];
        var column = new double[rows];
        for (var f = 0; f < width; f++)
        {
            for (var i = 0; i < rows; i++)
            {
                column[i] = x[i * width + f];
            }

            var sorted = (double[])column.Clone();
            Array.Sort(sorted);
            var candidates = new SortedSet<double>();
            for (var b = 1; b < bins; b++)
            {
                candidates.Add(sorted[(int)((long)b * (rows - 1) / bins)]);
            }

            // A cut at the maximum separates nothing.
            candidates.Remove(sorted[^1]);
            cuts[f] = candidates.ToArray();
            for (var i = 0; i < rows; i++)
            {
                var index = Array.BinarySearch(cuts[f], column[i]);
                binned[f * rows + i] = (byte)(index >= 0 ? index : ~index);
            }
        }

        return (cuts, binned);
    }

    private sealed record Node(int Feature, double Threshold, int Left, int Right, double[]? Leaf);

    private sealed class TreeBuilder(byte[] binned, double[][] cuts, int rows, int width, int[] y, int classes, RandomForestOptions options, IRandomSource random)
    {
        private readonly List<Node> nodes = [];
        private readonly int tries = Math.Max(1, (int)Math.Sqrt(width));

        public Node[] Build()
        {
            var sample = new int[rows];
            for (var i = 0; i < rows; i++)
            {
                sample[i] = random.NextInt(rows);
            }

            Grow(sample, 0);
            return nodes.ToArray();
        }

        private int Grow(int[] index, int depth)
        {
            var id = nodes.Count;
            nodes.Add(null!);
            var counts = new double[classes];
            foreach (var i in index)
            {
                counts[y[i]]++;
            }

            var pure = counts.Count(c => c > 0) <= 1;
            if (pure || depth >= options.MaxDepth || index.Length < 2 * options.MinLeaf || !TryFindSplit(index, counts, out var feature, out var bin))
            {
                nodes[id] = new Node(-1, 0, -1, -1, counts.Select(c => c / index.Length).ToArray());
                return id;
            }

            var left = index.Where(i => binned[feature * rows + i] <= bin).ToArray();
            var right = index.Where(i => binned[feature * rows + i] > bin).ToArray();
            var l = Grow(left, depth + 1);
            var r = Grow(right, depth + 1);
            nodes[id] = new Node(feature, cuts[feature][bin], l, r, null);
            return id;
        }

        private bool TryFindSplit(int[] index, double[] parent, out int feature, out int bin)
        {
            feature = -1;
            bin = -1;
            var n = index.Length;
            var bestScore = Gini(parent, n) * n - 1e-12;
            for (var t = 0; t < tries; t++)
            {
                var f = random.NextInt(width);
                var b = cuts[f].Length;
                if (b == 0)
                {
                    continue;
                }

                var histogram = new double[(b + 1) * classes];
                foreach (var i in index)
                {
                    histogram[binned[f * rows + i] * classes + y[i]]++;
                }

                var left = new double[classes];
                var leftCount = 0.0;
                for (var s = 0; s < b; s++)
                {
                    for (var c = 0; c < classes; c++)
                    {
                        left[c] += histogram[s * classes + c];
                        leftCount += histogram[s * classes + c];
                    }

                    var rightCount = n - leftCount;
                    if (leftCount < options.MinLeaf || rightCount < options.MinLeaf)
                    {
                        continue;
                    }

                    var score = 0.0;
                    var leftSq = 0.0;
                    var rightSq = 0.0;
                    for (var c = 0; c < classes; c++)
                    {
                        leftSq += left[c] * left[c];
                        var rc = parent[c] - left[c];
                        rightSq += rc * rc;
                    }

                    // Weighted Gini of the children: n_L·(1 − Σp²_L) + n_R·(1 − Σp²_R).
                    score = leftCount - leftSq / leftCount + rightCount - rightSq / rightCount;
                    if (score < bestScore)
                    {
                        bestScore = score;
                        feature = f;
                        bin = s;
                    }
                }
            }

            return feature >= 0;
        }

        private static double Gini(double[] counts, int n)
        {
            var sq = 0.0;
            foreach (var c in counts)
            {
                sq += c * c;
            }

            return 1 - sq / ((double)n * n);
        }
    }
}
