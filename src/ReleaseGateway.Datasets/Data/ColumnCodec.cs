using System.Globalization;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Datasets.Schema;

namespace ReleaseGateway.Datasets.Data;

/// <summary>
/// Maps the text of one CSV cell to its code in a column's public domain and back (coding rules in
/// docs/schema.md). Encoding is deterministic; decoding a binned value draws it uniformly within its
/// bin from the supplied random source.
/// </summary>
public sealed class ColumnCodec
{
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> categoryLookup;
    private readonly bool clip;

    /// <summary>Builds the codec of <paramref name="column"/> (not an identifier) under the given out-of-domain policy.</summary>
    public ColumnCodec(ColumnSchema column, OutOfDomainPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(column);
        if (column.IsDropped)
        {
            throw new ArgumentException($"column '{column.Name}' is an identifier and has no codes", nameof(column));
        }

        Column = column;
        clip = policy == OutOfDomainPolicy.Clip;
        var categories = new Dictionary<string, int>(StringComparer.Ordinal);
        if (column.Categories is not null)
        {
            for (int i = 0; i < column.Categories.Count; i++)
            {
                categories[column.Categories[i]] = i;
            }
        }

        categoryLookup = categories.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The column coded.</summary>
    public ColumnSchema Column { get; }

    /// <summary>
    /// Codes one cell. Returns false with a reason when the text is unparseable or out of domain
    /// (and the policy is not clip). <paramref name="clipped"/> reports a value moved onto a bound.
    /// </summary>
    public bool TryEncode(ReadOnlySpan<char> text, out int code, out bool clipped, out string? error)
    {
        clipped = false;
        error = null;
        code = -1;
        if (text.IsEmpty)
        {
            if (Column.AllowsMissing)
            {
                // A column awaiting DP bin edges has no codes yet: it is only checked (upload validation, raw reads).
                code = Column.NeedsDpBins ? 0 : Column.MissingCode;
                return true;
            }

            error = "empty value but the column does not allow missing values";
            return false;
        }

        switch (Column.Type)
        {
            case ColumnType.Categorical:
                if (categoryLookup.TryGetValue(text, out code))
                {
                    return true;
                }

                error = $"'{Truncate(text)}' is not one of the declared categories";
                return false;
            case ColumnType.Date:
                return TryEncodeDate(text.Trim(), out code, out clipped, out error);
            default:
                return TryEncodeNumber(text.Trim(), out code, out clipped, out error);
        }
    }

    /// <summary>
    /// The text of code <paramref name="code"/> in the original type: the category, a value drawn
    /// uniformly within the bin (integers among the bin's integers, continuous values on the real
    /// interval, dates among the period's days), or the empty string for the missing code.
    /// </summary>
    public string Decode(int code, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if ((uint)code >= (uint)Column.DomainSize)
        {
            throw new ArgumentOutOfRangeException(nameof(code), $"code {code} outside 0..{Column.DomainSize - 1} of column '{Column.Name}'");
        }

        if (code == Column.MissingCode)
        {
            return string.Empty;
        }

        switch (Column.Type)
        {
            case ColumnType.Categorical:
                return Column.Categories![code];
            case ColumnType.Date:
                {
                    (DateOnly firstDay, DateOnly lastDay) = Column.DateRange(code);
                    int days = lastDay.DayNumber - firstDay.DayNumber + 1;
                    return firstDay.AddDays(random.NextInt(days)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                }

            case ColumnType.Integer:
                {
                    (double lo, double hi) = Column.BinBounds(code);
                    bool lastBin = code == Column.ValueCodeCount - 1;
                    long first = (long)Math.Ceiling(lo);
                    // Equal-width integer bins are half-open on [Min, Max + 1); explicit edges close the last bin.
                    long last = Column.Bins is null && Column.BinEdges is null ? first
                        : Column.BinEdges is not null && lastBin ? (long)Math.Floor(hi)
                        : (long)Math.Ceiling(hi) - 1;

                    long value = last > first ? first + (long)random.NextBelow((ulong)(last - first + 1)) : first;
                    return value.ToString(CultureInfo.InvariantCulture);
                }

            default:
                {
                    (double lo, double hi) = Column.BinBounds(code);
                    double value = lo + (hi - lo) * random.NextDouble();
                    return value.ToString("G10", CultureInfo.InvariantCulture);
                }
        }
    }

    private bool TryEncodeNumber(ReadOnlySpan<char> text, out int code, out bool clipped, out string? error)
    {
        code = -1;
        clipped = false;
        error = null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
        {
            error = $"'{Truncate(text)}' is not a number";
            return false;
        }

        if (Column.Type == ColumnType.Integer && value != Math.Floor(value))
        {
            error = $"'{Truncate(text)}' is not a whole number";
            return false;
        }

        double min = Column.Min!.Value, max = Column.Max!.Value;
        if (value < min || value > max)
        {
            if (!clip)
            {
                error = $"{Truncate(text)} is outside the declared bounds [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}]";
                return false;
            }

            value = Math.Clamp(value, min, max);
            clipped = true;
        }

        int count = Column.NeedsDpBins ? 1 : Column.ValueCodeCount;
        if (Column.BinEdges is { } edges)
        {
            int lo = 0, hi = edges.Count - 1;
            while (hi - lo > 1)
            {
                int mid = (lo + hi) / 2;
                if (edges[mid] <= value)
                {
                    lo = mid;
                }
                else
                {
                    hi = mid;
                }
            }

            code = lo;
        }
        else if (Column.Bins is int bins)
        {
            double width = Column.Type == ColumnType.Integer ? max - min + 1 : max - min;
            code = (int)Math.Floor((value - min) / width * bins);
        }
        else
        {
            code = (int)(value - min);
        }

        code = Math.Clamp(code, 0, count - 1);
        return true;
    }

    private bool TryEncodeDate(ReadOnlySpan<char> text, out int code, out bool clipped, out string? error)
    {
        code = -1;
        clipped = false;
        error = null;
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly date))
        {
            error = $"'{Truncate(text)}' is not a date yyyy-MM-dd";
            return false;
        }

        DateOnly min = Column.MinDate!.Value, max = Column.MaxDate!.Value;
        if (date < min || date > max)
        {
            if (!clip)
            {
                error = $"{date:yyyy-MM-dd} is outside the declared bounds [{min:yyyy-MM-dd}, {max:yyyy-MM-dd}]";
                return false;
            }

            date = date < min ? min : max;
            clipped = true;
        }

        code = Column.DatePeriod(date);
        return true;
    }

    private static string Truncate(ReadOnlySpan<char> text) => text.Length <= 40 ? text.ToString() : string.Concat(text[..40], "...");
}
