namespace ReleaseGateway.Datasets.Data;

/// <summary>
/// A table coded over a public domain: column-major integer codes, column <c>j</c> taking values
/// in <c>0..DomainSizes[j]-1</c>. Immutable; codes are checked on construction.
/// </summary>
public sealed class EncodedTable
{
    private readonly int[][] columns;

    /// <summary>Wraps the columns (not copied: the caller hands over ownership).</summary>
    /// <exception cref="ArgumentException">Lengths disagree or a code lies outside its domain.</exception>
    public EncodedTable(IReadOnlyList<string> columnNames, IReadOnlyList<int> domainSizes, IReadOnlyList<int[]> columns)
    {
        ArgumentNullException.ThrowIfNull(columnNames);
        ArgumentNullException.ThrowIfNull(domainSizes);
        ArgumentNullException.ThrowIfNull(columns);
        if (columnNames.Count != domainSizes.Count || columnNames.Count != columns.Count)
        {
            throw new ArgumentException("column names, domain sizes and columns must have the same count");
        }

        int rows = columns.Count == 0 ? 0 : columns[0].Length;
        for (int j = 0; j < columns.Count; j++)
        {
            if (domainSizes[j] < 1)
            {
                throw new ArgumentException($"column '{columnNames[j]}' has domain size {domainSizes[j]}");
            }

            if (columns[j].Length != rows)
            {
                throw new ArgumentException($"column '{columnNames[j]}' has {columns[j].Length} rows, expected {rows}");
            }

            int k = domainSizes[j];
            foreach (int code in columns[j])
            {
                if ((uint)code >= (uint)k)
                {
                    throw new ArgumentException($"column '{columnNames[j]}' holds code {code} outside 0..{k - 1}");
                }
            }
        }

        ColumnNames = columnNames.ToArray();
        DomainSizes = domainSizes.ToArray();
        this.columns = columns.ToArray();
        RowCount = rows;
    }

    /// <summary>Column names, in order.</summary>
    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>Number of codes of each column.</summary>
    public IReadOnlyList<int> DomainSizes { get; }

    /// <summary>Number of rows.</summary>
    public int RowCount { get; }

    /// <summary>Number of columns.</summary>
    public int ColumnCount => ColumnNames.Count;

    /// <summary>The codes of column <paramref name="index"/>.</summary>
    public ReadOnlySpan<int> Column(int index) => columns[index];

    /// <summary>The given rows (indices into this table, in the order given), every column.</summary>
    public EncodedTable SelectRows(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return new EncodedTable(ColumnNames, DomainSizes, columns.Select(column =>
        {
            var values = new int[rows.Count];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = column[rows[i]];
            }

            return values;
        }).ToArray());
    }

    /// <summary>Index of the column called <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name)
    {
        for (int j = 0; j < ColumnNames.Count; j++)
        {
            if (ColumnNames[j] == name)
            {
                return j;
            }
        }

        return -1;
    }
}
