using System.Globalization;

namespace ReleaseGateway.Datasets.Schema;

/// <summary>
/// One column of a <see cref="DatasetSchema"/>: its public domain and its role. Everything here is
/// declared by the data steward; nothing is derived from the private data, so the domain itself
/// costs no privacy budget. Instances are validated when a <see cref="DatasetSchema"/> is built.
/// </summary>
/// <remarks>
/// Coding (see docs/schema.md): categorical code = index in <see cref="Categories"/>; integer code =
/// value - Min, or its bin; continuous code = its bin (equal width over [Min, Max] or <see cref="BinEdges"/>,
/// left-closed, the last bin also closed on the right); date code = periods since Min at
/// <see cref="Granularity"/>. When <see cref="AllowsMissing"/> the empty cell gets the last code.
/// </remarks>
public sealed record ColumnSchema
{
    /// <summary>Largest number of codes a column may have (excluding the missing code); larger domains must be binned.</summary>
    public const int MaxCodes = 4096;

    /// <summary>Column name as it appears in the CSV header.</summary>
    public required string Name { get; init; }

    /// <summary>How values are coded.</summary>
    public required ColumnType Type { get; init; }

    /// <summary>Disclosure role; <see cref="ColumnRole.Identifier"/> columns are dropped before synthesis.</summary>
    public ColumnRole Role { get; init; } = ColumnRole.None;

    /// <summary>Whether an empty cell is allowed; it then gets its own (last) code.</summary>
    public bool AllowsMissing { get; init; }

    /// <summary>Ordered categories of a categorical column; null otherwise.</summary>
    public IReadOnlyList<string>? Categories { get; init; }

    /// <summary>Lower bound (inclusive) of an integer or continuous column; null otherwise.</summary>
    public double? Min { get; init; }

    /// <summary>Upper bound (inclusive) of an integer or continuous column; null otherwise.</summary>
    public double? Max { get; init; }

    /// <summary>First date (inclusive) of a date column; null otherwise.</summary>
    public DateOnly? MinDate { get; init; }

    /// <summary>Last date (inclusive) of a date column; null otherwise.</summary>
    public DateOnly? MaxDate { get; init; }

    /// <summary>Number of equal-width bins of an integer or continuous column; null when unbinned or binned by edges.</summary>
    public int? Bins { get; init; }

    /// <summary>Explicit, strictly increasing bin edges (k+1 edges make k bins); null when not used.</summary>
    public IReadOnlyList<double>? BinEdges { get; init; }

    /// <summary>
    /// Number of bins whose edges the synthesizer places by DP quantiles inside [Min, Max] (docs/schema.md, ADR 0036):
    /// declared on an integer column, or implied (<see cref="DefaultDpBins"/>) on a continuous column that gives only its
    /// bounds. Null otherwise.
    /// </summary>
    public int? DpBins { get; init; }

    /// <summary>Bins a bounds-only continuous column gets when it does not declare <see cref="DpBins"/>.</summary>
    public const int DefaultDpBins = 16;

    /// <summary>
    /// True while the column's bin edges are still to be placed by DP quantiles: a numeric column with neither
    /// <see cref="Bins"/> nor <see cref="BinEdges"/> that declares <see cref="DpBins"/>, or a continuous one with bounds only.
    /// Such a column has no codes until <see cref="DatasetSchema.WithBinEdges"/> fills in the (DP, public) edges.
    /// </summary>
    public bool NeedsDpBins => Type is ColumnType.Integer or ColumnType.Continuous && Bins is null && BinEdges is null
        && (DpBins is not null || Type == ColumnType.Continuous);

    /// <summary>The number of bins to place when <see cref="NeedsDpBins"/>.</summary>
    public int DpBinCount => DpBins ?? DefaultDpBins;

    /// <summary>Code width of a date column (default day); null for other types.</summary>
    public DateGranularity? Granularity { get; init; }

    /// <summary>True when the column is dropped before synthesis (identifier type or role).</summary>
    public bool IsDropped => Type == ColumnType.Identifier || Role == ColumnRole.Identifier;

    /// <summary>Number of codes excluding the missing code.</summary>
    public int ValueCodeCount => NeedsDpBins
        ? throw new InvalidOperationException($"column '{Name}' has no codes until its bin edges are placed by DP quantiles")
        : Type switch
    {
        ColumnType.Categorical => Categories!.Count,
        ColumnType.Integer or ColumnType.Continuous when BinEdges is not null => BinEdges.Count - 1,
        ColumnType.Integer or ColumnType.Continuous when Bins is not null => Bins.Value,
        ColumnType.Integer => checked((int)(Max!.Value - Min!.Value + 1)),
        ColumnType.Date => DatePeriod(MaxDate!.Value) + 1,
        _ => 0,
    };

    /// <summary>Number of codes including the missing code (0 for identifiers, which are not coded).</summary>
    public int DomainSize => Type == ColumnType.Identifier ? 0 : ValueCodeCount + (AllowsMissing ? 1 : 0);

    /// <summary>The missing code (<see cref="DomainSize"/> - 1) or -1 when missing values are not allowed.</summary>
    public int MissingCode => AllowsMissing && Type != ColumnType.Identifier ? DomainSize - 1 : -1;

    /// <summary>Lower and upper edge of numeric bin <paramref name="code"/> (for unbinned integers, the value itself twice).</summary>
    public (double Low, double High) BinBounds(int code)
    {
        if (BinEdges is not null)
        {
            return (BinEdges[code], BinEdges[code + 1]);
        }

        if (Bins is int bins)
        {
            double width = Type == ColumnType.Integer ? Max!.Value - Min!.Value + 1 : Max!.Value - Min!.Value;
            return (Min!.Value + width * code / bins, Min!.Value + width * (code + 1) / bins);
        }

        return (Min!.Value + code, Min!.Value + code);
    }

    /// <summary>Period index of a date relative to <see cref="MinDate"/> at <see cref="Granularity"/>.</summary>
    public int DatePeriod(DateOnly date)
    {
        DateOnly min = MinDate!.Value;
        return Granularity switch
        {
            DateGranularity.Year => date.Year - min.Year,
            DateGranularity.Month => (date.Year * 12 + date.Month) - (min.Year * 12 + min.Month),
            _ => date.DayNumber - min.DayNumber,
        };
    }

    /// <summary>First and last date (both inclusive, inside the bounds) of date code <paramref name="code"/>.</summary>
    public (DateOnly First, DateOnly Last) DateRange(int code)
    {
        DateOnly min = MinDate!.Value, max = MaxDate!.Value;
        (DateOnly first, DateOnly last) = Granularity switch
        {
            DateGranularity.Year => (new DateOnly(min.Year + code, 1, 1), new DateOnly(min.Year + code, 12, 31)),
            DateGranularity.Month => MonthRange(new DateOnly(min.Year, min.Month, 1).AddMonths(code)),
            _ => (min.AddDays(code), min.AddDays(code)),
        };
        return (first < min ? min : first, last > max ? max : last);
    }

    private static (DateOnly, DateOnly) MonthRange(DateOnly start) => (start, start.AddMonths(1).AddDays(-1));

    internal void Validate(string path)
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new SchemaException(path + ".name", "a column needs a non-empty name");
        }

        string at = $"{path} ('{Name}')";
        if (Role == ColumnRole.PersonKey && Type != ColumnType.Identifier)
        {
            throw new SchemaException(at, "the person key must be a column of type 'identifier' (it is never synthesised or released)");
        }

        if (Type == ColumnType.Identifier)
        {
            if (Categories is not null || Min is not null || Max is not null || Bins is not null || BinEdges is not null || DpBins is not null || MinDate is not null || Granularity is not null)
            {
                throw new SchemaException(at, "an identifier column has no domain; remove categories, bounds and bins");
            }

            return;
        }

        bool numeric = Type is ColumnType.Integer or ColumnType.Continuous;
        if (Type != ColumnType.Categorical && Categories is not null)
        {
            throw new SchemaException(at, "'categories' is only allowed on categorical columns");
        }

        if (!numeric && (Bins is not null || BinEdges is not null || DpBins is not null))
        {
            throw new SchemaException(at, "'bins', 'binEdges' and 'dpBins' are only allowed on integer and continuous columns");
        }

        if (Type != ColumnType.Date && (Granularity is not null || MinDate is not null || MaxDate is not null))
        {
            throw new SchemaException(at, "date bounds and 'granularity' are only allowed on date columns");
        }

        switch (Type)
        {
            case ColumnType.Categorical:
                ValidateCategorical(at);
                break;
            case ColumnType.Integer:
            case ColumnType.Continuous:
                ValidateNumeric(at);
                break;
            case ColumnType.Date:
                if (MinDate is null || MaxDate is null)
                {
                    throw new SchemaException(at, "a date column needs 'min' and 'max' dates (yyyy-MM-dd)");
                }

                if (MaxDate < MinDate)
                {
                    throw new SchemaException(at, "'max' is before 'min'");
                }

                if (ValueCodeCount > MaxCodes)
                {
                    throw new SchemaException(at, $"{ValueCodeCount} {Granularity?.ToString().ToLowerInvariant() ?? "day"}s between min and max exceed {MaxCodes} codes; use a coarser granularity");
                }

                break;
        }
    }

    private void ValidateCategorical(string at)
    {
        if (Categories is null || Categories.Count == 0)
        {
            throw new SchemaException(at, "a categorical column needs a non-empty 'categories' list");
        }

        if (Min is not null || Max is not null)
        {
            throw new SchemaException(at, "'min'/'max' are not allowed on categorical columns");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string c in Categories)
        {
            if (c.Length == 0)
            {
                throw new SchemaException(at, "the empty string cannot be a category; declare \"missing\": true instead");
            }

            if (!seen.Add(c))
            {
                throw new SchemaException(at, $"category '{c}' is listed twice");
            }
        }

        if (Categories.Count > MaxCodes)
        {
            throw new SchemaException(at, $"{Categories.Count} categories exceed {MaxCodes}");
        }
    }

    private void ValidateNumeric(string at)
    {
        if (DpBins is int dp && (Bins is not null || BinEdges is not null))
        {
            throw new SchemaException(at, $"give one of 'bins', 'binEdges' or 'dpBins' (got dpBins = {dp} with hand-made bins)");
        }

        if (DpBins is < 2 or > MaxCodes)
        {
            throw new SchemaException(at, $"'dpBins' must be between 2 and {MaxCodes}");
        }

        if (BinEdges is not null)
        {
            if (Bins is not null)
            {
                throw new SchemaException(at, "give either 'bins' or 'binEdges', not both");
            }

            if (BinEdges.Count < 2)
            {
                throw new SchemaException(at, "'binEdges' needs at least two edges");
            }

            for (int i = 0; i < BinEdges.Count; i++)
            {
                if (!double.IsFinite(BinEdges[i]) || (i > 0 && BinEdges[i] <= BinEdges[i - 1]))
                {
                    throw new SchemaException(at, $"'binEdges' must be finite and strictly increasing (edge {i} = {BinEdges[i].ToString(CultureInfo.InvariantCulture)})");
                }
            }

            if (Min is null || Max is null)
            {
                throw new SchemaException(at, "'min' and 'max' are required (they must equal the first and last bin edge)");
            }

            if (Min != BinEdges[0] || Max != BinEdges[^1])
            {
                throw new SchemaException(at, "'min' and 'max' must equal the first and last bin edge");
            }

            if (Type == ColumnType.Integer)
            {
                for (int b = 0; b < BinEdges.Count - 1; b++)
                {
                    bool last = b == BinEdges.Count - 2;
                    double lo = Math.Ceiling(BinEdges[b]);
                    if (lo > BinEdges[b + 1] || (!last && lo >= BinEdges[b + 1]))
                    {
                        throw new SchemaException(at, $"bin {b} [{BinEdges[b].ToString(CultureInfo.InvariantCulture)}, {BinEdges[b + 1].ToString(CultureInfo.InvariantCulture)}) contains no integer");
                    }
                }
            }
        }
        else
        {
            if (Min is null || Max is null || !double.IsFinite(Min.Value) || !double.IsFinite(Max.Value))
            {
                throw new SchemaException(at, $"a {Type.ToString().ToLowerInvariant()} column needs finite public bounds 'min' and 'max'");
            }

            if (Max < Min || (Type == ColumnType.Continuous && Max == Min))
            {
                throw new SchemaException(at, "'max' must be greater than 'min'");
            }

            if (Type == ColumnType.Integer && (Min != Math.Floor(Min.Value) || Max != Math.Floor(Max.Value)))
            {
                throw new SchemaException(at, "integer bounds must be whole numbers");
            }

            if (NeedsDpBins)
            {
                if (Type == ColumnType.Integer && DpBinCount > Max!.Value - Min!.Value + 1)
                {
                    throw new SchemaException(at, $"{DpBinCount} DP bins exceed the {Max!.Value - Min!.Value + 1} integers between min and max");
                }
            }
            else if (Bins is int bins)
            {
                if (bins < 1 || bins > MaxCodes)
                {
                    throw new SchemaException(at, $"'bins' must be between 1 and {MaxCodes}");
                }

                if (Type == ColumnType.Integer && bins > Max!.Value - Min!.Value + 1)
                {
                    throw new SchemaException(at, $"{bins} bins exceed the {Max!.Value - Min!.Value + 1} integers between min and max");
                }
            }
            else if (Max!.Value - Min!.Value + 1 > MaxCodes)
            {
                throw new SchemaException(at, $"{Max!.Value - Min!.Value + 1} integer values exceed {MaxCodes} codes; declare 'bins' or 'binEdges'");
            }
        }
    }
}
