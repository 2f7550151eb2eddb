using ReleaseGateway.Datasets.Data;

namespace ReleaseGateway.Synthesis.Marginals;

/// <summary>
/// The only access synthesis has to the private data: exact marginal counts over a public domain.
/// Keeping measurement behind this interface lets the counting move into a database (a GROUP BY per
/// clique) without the engine ever holding rows. Results are private: callers must add calibrated
/// noise before anything leaves the engine.
/// </summary>
public interface IMarginalSource
{
    /// <summary>Column names, in order; column indices refer to this list.</summary>
    IReadOnlyList<string> ColumnNames { get; }

    /// <summary>Number of codes of each column (public: taken from the schema).</summary>
    IReadOnlyList<int> DomainSizes { get; }

    /// <summary>
    /// Contingency table of the given distinct columns, flattened row-major (the last column varies
    /// fastest), length = product of their domain sizes. Sensitivity: adding or removing one record
    /// changes exactly one cell by 1 (L1 and L2 sensitivity 1).
    /// </summary>
    double[] Count(IReadOnlyList<int> columns);
}

/// <summary>An <see cref="IMarginalSource"/> over an in-memory <see cref="EncodedTable"/>.</summary>
public sealed class TableMarginalSource(EncodedTable table) : IMarginalSource
{
    private readonly EncodedTable table = table ?? throw new ArgumentNullException(nameof(table));

    /// <inheritdoc />
    public IReadOnlyList<string> ColumnNames => table.ColumnNames;

    /// <inheritdoc />
    public IReadOnlyList<int> DomainSizes => table.DomainSizes;

    /// <inheritdoc />
    public double[] Count(IReadOnlyList<int> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Distinct().Count() != columns.Count || columns.Any(c => (uint)c >= (uint)table.ColumnCount))
        {
            throw new ArgumentException("columns must be distinct valid column indices", nameof(columns));
        }

        long size = 1;
        foreach (int c in columns)
        {
            size = checked(size * table.DomainSizes[c]);
        }

        var counts = new double[size];
        var index = new int[table.RowCount];
        foreach (int c in columns)
        {
            ReadOnlySpan<int> codes = table.Column(c);
            int k = table.DomainSizes[c];
            for (int i = 0; i < index.Length; i++)
            {
                index[i] = index[i] * k + codes[i];
            }
        }

        foreach (int i in index)
        {
            counts[i]++;
        }

        return counts;
    }
}
