using System.Buffers.Binary;
using System.Data.Common;
using DuckDB.NET.Data;
using Npgsql;
using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Datasets.Sources;

/// <summary>
/// The SQL that differs between PostgreSQL and DuckDB. Every identifier goes through <see cref="Quote"/>, every string
/// the steward wrote (categories, keys' values) is a bound parameter (<see cref="SqlParameters"/>); numbers and dates are
/// written from their parsed, typed values, never from text.
/// </summary>
internal abstract class SqlDialect
{
    public static readonly SqlDialect Postgres = new PostgresDialect();
    public static readonly SqlDialect DuckDb = new DuckDbDialect();

    /// <summary>A quoted identifier: double quotes, inner quotes doubled; a NUL character is refused.</summary>
    public static string Quote(string identifier)
    {
        ArgumentException.ThrowIfNullOrEmpty(identifier);
        if (identifier.Contains('\0')) throw new ArgumentException("an identifier cannot contain a NUL character", nameof(identifier));
        return "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    public abstract string Text(string expression);

    public abstract string Double(string expression);

    public abstract string Date(string expression);

    /// <summary>Whole days from <paramref name="first"/> (a typed date literal) to <paramref name="date"/>.</summary>
    public abstract string DaysSince(string first, string date);

    /// <summary>
    /// The first 64 bits of HMAC-SHA256(coin key, UTF-8 of <paramref name="unitText"/>), as an expression that orders and
    /// compares like the big-endian integer (bytes on PostgreSQL, 16 lower-case hex digits on DuckDB). Built from the
    /// engine's plain SHA-256 and the key pads (RFC 2104), so no extension is needed in the hospital's database.
    /// </summary>
    public virtual string Mac(KeyedCoin coin, string unitText, SqlParameters parameters)
    {
        var (inner, outer) = coin.HmacPads();
        return Mac(parameters.Add(inner), parameters.Add(outer), unitText);
    }

    protected abstract string Mac(string inner, string outer, string unitText);

    /// <summary>A parameter holding <see cref="KeyedCoin.Threshold"/>(p) in the form <see cref="Mac(KeyedCoin, string, SqlParameters)"/> compares with.</summary>
    public abstract string Threshold(double p, SqlParameters parameters);

    public abstract DbCommand Command(DbConnection connection, string sql, SqlParameters parameters);

    private sealed class PostgresDialect : SqlDialect
    {
        public override string Text(string expression) => $"CAST({expression} AS text)";

        public override string Double(string expression) => $"CAST({expression} AS double precision)";

        public override string Date(string expression) => $"CAST({expression} AS date)";

        public override string DaysSince(string first, string date) => $"({date} - {first})";

        protected override string Mac(string inner, string outer, string unitText) =>
            $"substring(sha256({outer} || sha256({inner} || convert_to({unitText}, 'UTF8'))) FROM 1 FOR 8)";

        public override string Threshold(double p, SqlParameters parameters)
        {
            var bytes = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(bytes, KeyedCoin.Threshold(p));
            return parameters.Add(bytes);
        }

        public override DbCommand Command(DbConnection connection, string sql, SqlParameters parameters)
        {
            var command = new NpgsqlCommand(sql, (NpgsqlConnection)connection) { CommandTimeout = 0 };
            foreach (var value in parameters.Values) command.Parameters.Add(new NpgsqlParameter { Value = value });
            return command;
        }
    }

    private sealed class DuckDbDialect : SqlDialect
    {
        public override string Text(string expression) => $"CAST({expression} AS VARCHAR)";

        public override string Double(string expression) => $"TRY_CAST({expression} AS DOUBLE)";

        public override string Date(string expression) => $"TRY_CAST({expression} AS DATE)";

        public override string DaysSince(string first, string date) => $"date_diff('day', {first}, {date})";

        protected override string Mac(string inner, string outer, string unitText) =>
            $"left(sha256({outer} || unhex(sha256({inner} || encode({unitText})))), 16)";

        public override string Threshold(double p, SqlParameters parameters) =>
            parameters.Add(KeyedCoin.Threshold(p).ToString("x16", System.Globalization.CultureInfo.InvariantCulture));

        public override DbCommand Command(DbConnection connection, string sql, SqlParameters parameters)
        {
            var command = new DuckDBCommand(sql, (DuckDBConnection)connection);
            foreach (var value in parameters.Values) command.Parameters.Add(new DuckDBParameter(value));
            return command;
        }
    }
}

/// <summary>Positional parameters <c>$1, $2, …</c> (both engines accept them), collected while a query is built.</summary>
internal sealed class SqlParameters
{
    private readonly List<object> values = [];

    public IReadOnlyList<object> Values => values;

    public string Add(object value)
    {
        values.Add(value);
        return "$" + values.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
