namespace ReleaseGateway.Synthesis.Models;

/// <summary>
/// A junction tree over a set of attribute cliques: the graph joining attributes that share a
/// clique is triangulated by greedy elimination (smallest fill-in, ties broken by the smallest
/// table), its maximal cliques are joined by a maximum-weight spanning tree on separator sizes,
/// which gives the running-intersection property. Disconnected parts are joined through empty
/// separators so there is always a single tree rooted at clique 0.
/// </summary>
internal sealed class JunctionTree
{
    private JunctionTree(int[][] cliques, int[] order, int[] parent, int[][] separators)
    {
        Cliques = cliques;
        Order = order;
        Parent = parent;
        Separators = separators;
    }

    /// <summary>Maximal cliques (ascending attributes).</summary>
    public int[][] Cliques { get; }

    /// <summary>Breadth-first order from the root (Order[0] is the root).</summary>
    public int[] Order { get; }

    /// <summary>Parent clique of each clique (-1 for the root).</summary>
    public int[] Parent { get; }

    /// <summary>Separator between each clique and its parent (empty for the root).</summary>
    public int[][] Separators { get; }

    public static JunctionTree Build(int attributeCount, IEnumerable<int[]> cliques, IReadOnlyList<int> domain)
    {
        var adjacency = Enumerable.Range(0, attributeCount).Select(_ => new HashSet<int>()).ToArray();
        foreach (int[] clique in cliques)
        {
            foreach (int a in clique)
            {
                foreach (int b in clique)
                {
                    if (a != b)
                    {
                        adjacency[a].Add(b);
                    }
                }
            }
        }

        var eliminated = new bool[attributeCount];
        var maximal = new List<int[]>();
        for (int step = 0; step < attributeCount; step++)
        {
            int best = -1;
            long bestFill = long.MaxValue;
            double bestSize = double.MaxValue;
            for (int v = 0; v < attributeCount; v++)
            {
                if (eliminated[v])
                {
                    continue;
                }

                long fill = 0;
                int[] neighbours = adjacency[v].ToArray();
                for (int i = 0; i < neighbours.Length; i++)
                {
                    for (int j = i + 1; j < neighbours.Length; j++)
                    {
                        if (!adjacency[neighbours[i]].Contains(neighbours[j]))
                        {
                            fill++;
                        }
                    }
                }

                double size = Math.Log(domain[v]) + neighbours.Sum(n => Math.Log(domain[n]));
                if (fill < bestFill || (fill == bestFill && size < bestSize))
                {
                    best = v;
                    bestFill = fill;
                    bestSize = size;
                }
            }

            int[] clique = adjacency[best].Append(best).Order().ToArray();
            if (!maximal.Any(m => CliqueIndex.IsSubset(clique, m)))
            {
                maximal.RemoveAll(m => CliqueIndex.IsSubset(m, clique));
                maximal.Add(clique);
            }

            int[] around = adjacency[best].ToArray();
            foreach (int a in around)
            {
                foreach (int b in around)
                {
                    if (a != b)
                    {
                        adjacency[a].Add(b);
                    }
                }

                adjacency[a].Remove(best);
            }

            eliminated[best] = true;
        }

        return Connect(maximal.ToArray());
    }

    private static JunctionTree Connect(int[][] cliques)
    {
        // Prim's algorithm for a maximum spanning tree on |intersection|, then breadth-first order.
        int m = cliques.Length;
        var inTree = new bool[m];
        var parent = Enumerable.Repeat(-1, m).ToArray();
        var bestWeight = Enumerable.Repeat(-1, m).ToArray();
        var children = Enumerable.Range(0, m).Select(_ => new List<int>()).ToArray();
        bestWeight[0] = 0;
        for (int step = 0; step < m; step++)
        {
            int next = -1;
            for (int i = 0; i < m; i++)
            {
                if (!inTree[i] && (next < 0 || bestWeight[i] > bestWeight[next]))
                {
                    next = i;
                }
            }

            inTree[next] = true;
            if (parent[next] >= 0)
            {
                children[parent[next]].Add(next);
            }

            for (int i = 0; i < m; i++)
            {
                if (!inTree[i])
                {
                    int w = cliques[i].Intersect(cliques[next]).Count();
                    if (w > bestWeight[i])
                    {
                        bestWeight[i] = w;
                        parent[i] = next;
                    }
                }
            }
        }

        var order = new List<int> { 0 };
        for (int i = 0; i < order.Count; i++)
        {
            order.AddRange(children[order[i]]);
        }

        var separators = new int[m][];
        for (int i = 0; i < m; i++)
        {
            separators[i] = parent[i] < 0 ? [] : cliques[i].Intersect(cliques[parent[i]]).Order().ToArray();
        }

        return new JunctionTree(cliques, order.ToArray(), parent, separators);
    }

    /// <summary>Number of cells of all maximal cliques together: the size of the model's parameters and marginals.</summary>
    public double CellCount(IReadOnlyList<int> domain) => Cliques.Sum(c => c.Aggregate(1.0, (size, a) => size * domain[a]));

    /// <summary>Index of a clique containing all of <paramref name="attributes"/>, or -1.</summary>
    public int FindContaining(IReadOnlyList<int> attributes)
    {
        int best = -1;
        for (int i = 0; i < Cliques.Length; i++)
        {
            if (CliqueIndex.IsSubset(attributes, Cliques[i]) && (best < 0 || Cliques[i].Length < Cliques[best].Length))
            {
                best = i;
            }
        }

        return best;
    }
}
