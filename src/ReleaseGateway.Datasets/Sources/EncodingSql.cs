using System.Globalization;
using ReleaseGateway.Datasets.Schema;

namespace ReleaseGateway.Datasets.Sources;

/// <summary>
/// The schema's coding (docs/schema.md, <see cref="Data.ColumnCodec"/>) as SQL: one expression per column giving the
/// code in 0..DomainSize-1, or NULL for a value outside the public domain. Generated only from the public schema:
/// columns are quoted identifiers, categories bound parameters, bounds and bin edges typed literals of their parsed values.
/// </summary>
internal static class EncodingSql
{
    public static string Code(ColumnSchema column, OutOfDomainPolicy policy, SqlDialect dialect, SqlParameters parameters)
    {
        string raw = "src." + SqlDialect.Quote(column.Name);
        string missing = column.AllowsMissing ? Int(column.MissingCode) : "NULL";
        bool clip = policy == OutOfDomainPolicy.Clip;
        switch (column.Type)
        {
            case ColumnType.Categorical:
                {
                    string text = $"NULLIF({dialect.Text(raw)}, '')";
                    var whens = column.Categories!.Select((c, i) => $"WHEN {text} = {parameters.Add(c)} THEN {Int(i)}");
                    return $"(CASE WHEN {text} IS NULL THEN {missing} {string.Join(' ', whens)} ELSE NULL END)";
                }

            case ColumnType.Date:
                {
                    string v = dialect.Date(raw);
                    string min = DateLiteral(column.MinDate!.Value), max = DateLiteral(column.MaxDate!.Value);
                    string w = clip ? $"(CASE WHEN {v} < {min} THEN {min} WHEN {v} > {max} THEN {max} ELSE {v} END)" : v;
                    string code = column.Granularity switch
                    {
                        DateGranularity.Year => $"CAST(EXTRACT(YEAR FROM {w}) AS INTEGER) - {Int(column.MinDate!.Value.Year)}",
                        DateGranularity.Month => $"(CAST(EXTRACT(YEAR FROM {w}) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM {w}) AS INTEGER)) - {Int(column.MinDate!.Value.Year * 12 + column.MinDate!.Value.Month)}",
                        _ => $"CAST({dialect.DaysSince(min, w)} AS INTEGER)",
                    };
                    return $"(CASE WHEN {raw} IS NULL THEN {missing} WHEN {v} IS NULL OR {w} < {min} OR {w} > {max} THEN NULL ELSE {code} END)";
                }

            default:
                {
                    string v = dialect.Double(raw);
                    double minValue = column.Min!.Value, maxValue = column.Max!.Value;
                    string min = Real(minValue), max = Real(maxValue);
                    string w = clip ? $"LEAST(GREATEST({v}, {min}), {max})" : v;
                    string whole = column.Type == ColumnType.Integer ? $" OR {v} <> floor({v})" : "";
                    string code;
                    if (column.BinEdges is { } edges)
                    {
                        var whens = Enumerable.Range(1, edges.Count - 2).Select(i => $"WHEN {w} < {Real(edges[i])} THEN {Int(i - 1)}");
                        code = $"(CASE {string.Join(' ', whens)} ELSE {Int(edges.Count - 2)} END)";
                        if (edges.Count == 2) code = "0";
                    }
                    else if (column.Bins is int bins)
                    {
                        double width = column.Type == ColumnType.Integer ? maxValue - minValue + 1 : maxValue - minValue;
                        code = $"LEAST(GREATEST(CAST(floor(({w} - {min}) / {Real(width)} * {Real(bins)}) AS INTEGER), 0), {Int(bins - 1)})";
                    }
                    else
                    {
                        code = $"CAST({w} - {min} AS INTEGER)";
                    }

                    // Both engines order NaN above every number (PostgreSQL even has NaN = NaN): test finiteness by range, as the
                    // CSV path refuses NaN and infinities whatever the out-of-domain policy.
                    string finite = $"({v} > {Real(-double.MaxValue)} AND {v} < {Real(double.MaxValue)})";
                    return $"(CASE WHEN {raw} IS NULL THEN {missing} WHEN {v} IS NULL OR NOT {finite}{whole} OR {w} < {min} OR {w} > {max} THEN NULL ELSE {code} END)";
                }
        }
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Real(double value) => "CAST(" + value.ToString("R", CultureInfo.InvariantCulture) + " AS DOUBLE PRECISION)";

    private static string DateLiteral(DateOnly date) => "DATE '" + date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "'";
}
