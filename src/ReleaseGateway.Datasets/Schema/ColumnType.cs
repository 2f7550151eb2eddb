namespace ReleaseGateway.Datasets.Schema;

/// <summary>How a column's values are coded into the public domain <c>0..DomainSize-1</c>.</summary>
public enum ColumnType
{
    /// <summary>Explicit, ordered list of category strings; code = position in the list.</summary>
    Categorical,

    /// <summary>Whole numbers in public bounds [Min, Max]; one code per value, or per bin when binned.</summary>
    Integer,

    /// <summary>Real numbers in public bounds [Min, Max], always binned (equal-width bins or explicit edges).</summary>
    Continuous,

    /// <summary>ISO-8601 dates (yyyy-MM-dd) in public bounds, coded per day, month or year.</summary>
    Date,

    /// <summary>Direct identifier: never coded, dropped before synthesis.</summary>
    Identifier,
}

/// <summary>
/// What a column means to the disclosure review; <see cref="Identifier"/> and <see cref="PersonKey"/> change synthesis
/// (the column is dropped).
/// </summary>
public enum ColumnRole
{
    /// <summary>No particular role (the default).</summary>
    None,

    /// <summary>Could be linked to outside information (age, sex, postcode...).</summary>
    QuasiIdentifier,

    /// <summary>The attribute whose disclosure is the harm (diagnosis, result...).</summary>
    Sensitive,

    /// <summary>The outcome an analyst will model.</summary>
    Target,

    /// <summary>Direct identifier, dropped before synthesis.</summary>
    Identifier,

    /// <summary>
    /// The person a row belongs to (at most one column, of type identifier): the privacy unit becomes the person. Its
    /// values only group rows (contribution bounding, whole persons in the split); it is never synthesised and never
    /// released (docs/schema.md, ADR 0024).
    /// </summary>
    PersonKey,
}

/// <summary>Width of one code of a <see cref="ColumnType.Date"/> column.</summary>
public enum DateGranularity
{
    /// <summary>One code per calendar day.</summary>
    Day,

    /// <summary>One code per calendar month.</summary>
    Month,

    /// <summary>One code per calendar year.</summary>
    Year,
}

/// <summary>What the encoder does with a value outside the declared domain.</summary>
public enum OutOfDomainPolicy
{
    /// <summary>Reject the input, naming row and column (the default).</summary>
    Error,

    /// <summary>Clip numbers and dates to the nearest bound; unknown categories are still an error.</summary>
    Clip,
}
